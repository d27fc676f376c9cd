package demo

// item is one product line of a craft. Names and descriptions may hold "{o}",
// the origin: the craft's own (a village or a named product of a place, e.g.
// "Bo Sang") or, for the crafts every province shares, the province.
type item struct {
	th, en   string // base name; the variants are appended
	dth, den string // description
	cat, ci  string // category and creative industry ("" when not creative)
	unit     string
	lo, hi   int64  // base price per unit in whole baht
	moq      [2]int // MOQ range
	capa     [2]int // monthly capacity range (kept ≥ MOQ)
	lead     [2]int // lead time range in days
	hs       string // 6-digit HS subheading
	grams    int    // weight of one unit, before the size variant
	art      string // Art style
	tags     []string
	certs    []string // the certification kinds the product may hold
	pork     bool
	dims     [][]opt // variant dimensions, combined into the name
}

// Certification kinds, as in the taxonomy.
const (
	certFDA     = "thai_fda"
	certMPC     = "mor_phor_chor"
	certTIS     = "tis"
	certGMP     = "gmp"
	certHalal   = "halal"
	certOrganic = "organic"
	certGI      = "gi"
)

// Categories and creative industries, as in the taxonomy.
const (
	catFood      = "food"
	catBeverage  = "beverage"
	catTextile   = "textile"
	catHousehold = "household"
	catHerbal    = "herbal"

	ciCrafts   = "crafts"
	ciFashion  = "fashion"
	ciDesign   = "design"
	ciFood     = "thai_food"
	ciMedicine = "thai_traditional_medicine"
	ciMusic    = "music"
	ciVisual   = "visual_arts"
)

func ds(d ...[]opt) [][]opt   { return d }
func tg(t ...string) []string { return t }

// withGI returns certs with GI added when gi is true.
func withGI(gi bool, certs ...string) []string {
	if gi {
		return append(certs, certGI)
	}
	return certs
}

func silkItems(gi bool) []item {
	return []item{
		{th: "ผ้าไหมมัดหมี่{o}", en: "{o} mudmee silk sarong length",
			dth: "ผ้าไหมมัดหมี่ทอมือ ผืนยาว 2 เมตร กว้าง 1 เมตร มัดลายและย้อมเส้นพุ่งทีละลำก่อนขึ้นกี่ เส้นไหมพันธุ์พื้นบ้านให้เนื้อผ้านุ่มและเงางามตามธรรมชาติ",
			den: "Handwoven mudmee (ikat) silk, 2 m by 1 m. Every bundle of weft threads is tied and dyed by hand before it goes on the loom; native Thai silk gives a soft hand and a natural sheen.",
			cat: catTextile, ci: ciCrafts, unit: "piece", lo: 1500, hi: 6000, moq: [2]int{1, 5}, capa: [2]int{20, 120}, lead: [2]int{14, 60},
			hs: "500720", grams: 450, art: "weave", tags: tg("silk", "mudmee", "ikat", "handwoven"), certs: withGI(gi, certMPC),
			dims: ds(silkPatterns(), dyes())},
		{th: "ผ้าคลุมไหล่ไหมมัดหมี่{o}", en: "{o} mudmee silk shawl",
			dth: "ผ้าคลุมไหล่ไหมมัดหมี่ ขนาด 50 x 180 ซม. ปลายผ้ามัดพู่ด้วยมือ เหมาะเป็นของขวัญและใช้ในงานพิธี",
			den: "Mudmee silk shawl, 50 x 180 cm, with hand-knotted fringes; a classic gift and a favourite for ceremonies.",
			cat: catTextile, ci: ciFashion, unit: "piece", lo: 800, hi: 2500, moq: [2]int{2, 10}, capa: [2]int{40, 200}, lead: [2]int{10, 45},
			hs: "621410", grams: 180, art: "weave", tags: tg("silk", "shawl", "ikat", "handwoven"), certs: withGI(gi, certMPC),
			dims: ds(silkPatterns(), dyes())},
		{th: "ผ้าไหมพื้นเรียบ{o} (ตัดเมตร)", en: "{o} plain silk by the metre",
			dth: "ผ้าไหมทอมือพื้นเรียบ หน้ากว้าง 1 เมตร ย้อมสีจากธรรมชาติ ขายเป็นเมตรสำหรับตัดชุดหรือทำของตกแต่ง",
			den: "Plain handwoven silk, 1 m wide, coloured with natural dyes and sold by the metre for tailoring and interiors.",
			cat: catTextile, ci: ciCrafts, unit: "metre", lo: 450, hi: 900, moq: [2]int{5, 20}, capa: [2]int{100, 600}, lead: [2]int{7, 30},
			hs: "500720", grams: 220, art: "weave", tags: tg("silk", "handwoven", "natural dye", "yardage"), certs: withGI(gi, certMPC),
			dims: ds(dyes())},
		{th: "เนคไทผ้าไหม{o}", en: "{o} silk necktie",
			dth: "เนคไทตัดเย็บจากผ้าไหมทอมือ บุซับในอย่างดี บรรจุกล่องพร้อมเป็นของขวัญ",
			den: "Necktie cut from handwoven Thai silk, fully lined and boxed, ready to give.",
			cat: catTextile, ci: ciFashion, unit: "piece", lo: 350, hi: 850, moq: [2]int{5, 20}, capa: [2]int{100, 500}, lead: [2]int{7, 30},
			hs: "621510", grams: 60, art: "weave", tags: tg("silk", "necktie", "gift"), certs: []string{certMPC},
			dims: ds(silkPatterns(), dyes())},
	}
}

func cottonItems(gi bool) []item {
	return []item{
		{th: "ผ้าซิ่นฝ้ายทอมือ{o}", en: "{o} handwoven cotton sarong",
			dth: "ผ้าซิ่นฝ้ายทอมือด้วยกี่พื้นบ้าน ฝ้ายเข็นมือย้อมสีธรรมชาติ ผืนยาว 2 เมตร",
			den: "Handwoven cotton sarong, 2 m long, from hand-spun cotton coloured with natural dyes and woven on a village loom.",
			cat: catTextile, ci: ciCrafts, unit: "piece", lo: 450, hi: 1800, moq: [2]int{2, 10}, capa: [2]int{30, 200}, lead: [2]int{10, 45},
			hs: "520842", grams: 400, art: "stripes", tags: tg("cotton", "handwoven", "natural dye", "sarong"), certs: withGI(gi, certMPC),
			dims: ds(cottonPatterns(), dyes())},
		{th: "ผ้าขาวม้า{o}", en: "{o} pha khao ma cotton cloth",
			dth: "ผ้าขาวม้าทอมือ ลายตารางดั้งเดิม ใช้ได้ทั้งเป็นผ้าเช็ดตัว ผ้าคลุมไหล่ และตัดเย็บเป็นเสื้อผ้า",
			den: "Handwoven pha khao ma, the all-purpose Thai checked cloth: towel, sash, scarf or fabric for tailoring.",
			cat: catTextile, ci: ciCrafts, unit: "piece", lo: 120, hi: 350, moq: [2]int{10, 50}, capa: [2]int{200, 1500}, lead: [2]int{7, 30},
			hs: "520842", grams: 250, art: "stripes", tags: tg("cotton", "pha khao ma", "checked", "handwoven"), certs: withGI(gi, certMPC),
			dims: ds(dyes(), cottonPatterns())},
		{th: "ผ้าฝ้ายทอมือ{o} (ตัดเมตร)", en: "{o} handwoven cotton by the metre",
			dth: "ผ้าฝ้ายทอมือหน้ากว้าง 1 เมตร เนื้อแน่น ซักง่าย ขายเป็นเมตรสำหรับตัดเสื้อผ้าและของแต่งบ้าน",
			den: "Handwoven cotton, 1 m wide, dense and easy to wash, sold by the metre for garments and home textiles.",
			cat: catTextile, ci: ciCrafts, unit: "metre", lo: 150, hi: 380, moq: [2]int{10, 30}, capa: [2]int{200, 1200}, lead: [2]int{7, 30},
			hs: "520842", grams: 200, art: "stripes", tags: tg("cotton", "handwoven", "yardage"), certs: []string{certMPC},
			dims: ds(cottonPatterns(), dyes())},
		{th: "เสื้อผ้าฝ้ายทอมือ{o}", en: "{o} handwoven cotton shirt",
			dth: "เสื้อผ้าฝ้ายทอมือ ตัดเย็บในชุมชน กระดุมกะลามะพร้าว ใส่สบายในอากาศร้อน",
			den: "Shirt tailored in the village from handwoven cotton, with coconut-shell buttons; cool to wear in hot weather.",
			cat: catTextile, ci: ciFashion, unit: "piece", lo: 450, hi: 1200, moq: [2]int{5, 20}, capa: [2]int{50, 300}, lead: [2]int{10, 40},
			hs: "620520", grams: 280, art: "stripes", tags: tg("cotton", "shirt", "handwoven"), certs: []string{certMPC},
			dims: ds(clothSizes(), dyes(), cottonPatterns())},
	}
}

func mudmeeCottonItems() []item {
	return []item{
		{th: "ผ้าฝ้ายมัดหมี่{o}", en: "{o} mudmee cotton sarong length",
			dth: "ผ้าฝ้ายมัดหมี่ทอมือ ผืนยาว 2 เมตร มัดลายด้วยเชือกกล้วยแล้วย้อมทีละสี ลวดลายพร่าเลือนเป็นเอกลักษณ์ของผ้ามัดหมี่",
			den: "Handwoven mudmee cotton, 2 m long. The weft is tied with banana fibre and dyed colour by colour, giving the softly blurred edges that mark true ikat.",
			cat: catTextile, ci: ciCrafts, unit: "piece", lo: 450, hi: 1500, moq: [2]int{2, 10}, capa: [2]int{30, 150}, lead: [2]int{10, 45},
			hs: "520842", grams: 400, art: "weave", tags: tg("cotton", "mudmee", "ikat", "handwoven"), certs: []string{certMPC},
			dims: ds(silkPatterns(), dyes())},
		{th: "ผ้าพันคอฝ้ายมัดหมี่{o}", en: "{o} mudmee cotton scarf",
			dth: "ผ้าพันคอฝ้ายมัดหมี่ ขนาด 40 x 170 ซม. นุ่ม ระบายอากาศดี",
			den: "Mudmee cotton scarf, 40 x 170 cm, soft and breathable.",
			cat: catTextile, ci: ciFashion, unit: "piece", lo: 180, hi: 450, moq: [2]int{5, 30}, capa: [2]int{100, 600}, lead: [2]int{7, 30},
			hs: "621490", grams: 120, art: "weave", tags: tg("cotton", "scarf", "ikat"), certs: []string{certMPC},
			dims: ds(silkPatterns(), dyes())},
	}
}

func teenJokItems(gi bool) []item {
	return []item{
		{th: "ผ้าซิ่นตีนจก{o}", en: "{o} teen jok tube skirt",
			dth: "ผ้าซิ่นต่อตีนจก ทอด้วยเทคนิคจกเส้นพุ่งพิเศษทีละเส้นด้วยขนเม่น ผืนหนึ่งใช้เวลาทอหลายสัปดาห์",
			den: "Tube skirt with a teen jok hem: the supplementary weft is picked up thread by thread with a porcupine quill, weeks of work for a single piece.",
			cat: catTextile, ci: ciCrafts, unit: "piece", lo: 2500, hi: 6000, moq: [2]int{1, 3}, capa: [2]int{5, 40}, lead: [2]int{30, 90},
			hs: "520849", grams: 500, art: "weave", tags: tg("teen jok", "handwoven", "supplementary weft", "heritage"), certs: withGI(gi, certMPC),
			dims: ds(teenJokMotifs(), dyes())},
		{th: "ผ้าตีนจก{o} สำหรับต่อเชิงซิ่น", en: "{o} teen jok hem panel",
			dth: "ผืนตีนจกสำหรับต่อชายผ้าซิ่น กว้าง 30 ซม. ทอลายจกสีสดบนพื้นแดงหรือดำ",
			den: "Teen jok hem panel, 30 cm deep, with bright pick-up motifs on a red or black ground, to finish a sarong.",
			cat: catTextile, ci: ciCrafts, unit: "piece", lo: 900, hi: 3500, moq: [2]int{1, 5}, capa: [2]int{10, 60}, lead: [2]int{20, 60},
			hs: "520849", grams: 150, art: "weave", tags: tg("teen jok", "handwoven", "panel"), certs: withGI(gi, certMPC),
			dims: ds(teenJokMotifs(), dyes())},
		{th: "กระเป๋าผ้าตีนจก{o}", en: "{o} teen jok shoulder bag",
			dth: "กระเป๋าสะพายตัดเย็บจากผ้าตีนจกทอมือ บุซับในและมีซิปด้านใน",
			den: "Shoulder bag made from handwoven teen jok cloth, lined, with an inside zip pocket.",
			cat: catTextile, ci: ciFashion, unit: "piece", lo: 390, hi: 1200, moq: [2]int{3, 12}, capa: [2]int{40, 200}, lead: [2]int{10, 40},
			hs: "420222", grams: 300, art: "weave", tags: tg("bag", "teen jok", "handmade"), certs: []string{certMPC},
			dims: ds(teenJokMotifs(), dyes())},
	}
}

func indigoItems(gi bool) []item {
	return []item{
		{th: "ผ้าฝ้ายย้อมคราม{o} (ตัดเมตร)", en: "{o} indigo-dyed cotton by the metre",
			dth: "ผ้าฝ้ายทอมือย้อมครามธรรมชาติจากหม้อนิล หมักครามด้วยน้ำด่างขี้เถ้า ย้อมซ้ำหลายรอบจนได้สีเข้ม",
			den: "Handwoven cotton dyed in a living indigo vat fermented with ash lye, dipped again and again for depth of colour.",
			cat: catTextile, ci: ciCrafts, unit: "metre", lo: 220, hi: 450, moq: [2]int{5, 30}, capa: [2]int{100, 800}, lead: [2]int{10, 40},
			hs: "520832", grams: 200, art: "indigo", tags: tg("indigo", "natural dye", "cotton", "handwoven"), certs: withGI(gi, certMPC),
			dims: ds(indigoShades(), cottonPatterns())},
		{th: "เสื้อย้อมคราม{o}", en: "{o} indigo shirt",
			dth: "เสื้อผ้าฝ้ายย้อมครามธรรมชาติ ทรงคอจีน ตัดเย็บในชุมชน สีครามจะสวยขึ้นเมื่อผ่านการซัก",
			den: "Mandarin-collar shirt in naturally indigo-dyed cotton, sewn in the village; the blue mellows beautifully with washing.",
			cat: catTextile, ci: ciFashion, unit: "piece", lo: 550, hi: 1500, moq: [2]int{5, 20}, capa: [2]int{50, 300}, lead: [2]int{10, 40},
			hs: "620520", grams: 280, art: "indigo", tags: tg("indigo", "shirt", "natural dye"), certs: withGI(gi, certMPC),
			dims: ds(clothSizes(), indigoShades())},
		{th: "ผ้าพันคอย้อมคราม{o}", en: "{o} indigo scarf",
			dth: "ผ้าพันคอฝ้ายย้อมคราม ขนาด 50 x 180 ซม. มัดย้อมลวดลายด้วยมือ",
			den: "Indigo cotton scarf, 50 x 180 cm, with hand-bound resist patterns.",
			cat: catTextile, ci: ciFashion, unit: "piece", lo: 290, hi: 890, moq: [2]int{5, 30}, capa: [2]int{80, 500}, lead: [2]int{7, 30},
			hs: "621490", grams: 120, art: "indigo", tags: tg("indigo", "scarf", "tie-dye"), certs: withGI(gi, certMPC),
			dims: ds(indigoShades(), cottonPatterns())},
	}
}

func batikItems() []item {
	return []item{
		{th: "ผ้าบาติกเขียนเทียน{o}", en: "{o} hand-drawn batik sarong",
			dth: "ผ้าบาติกเขียนลายด้วยเทียนร้อนทีละเส้น ระบายสีด้วยมือ ผืนยาว 2 เมตร สีไม่ตก",
			den: "Batik sarong drawn line by line in hot wax with a canting and hand-painted, 2 m long, colourfast.",
			cat: catTextile, ci: ciCrafts, unit: "piece", lo: 350, hi: 1500, moq: [2]int{3, 12}, capa: [2]int{50, 300}, lead: [2]int{7, 30},
			hs: "520852", grams: 300, art: "batik", tags: tg("batik", "hand-drawn", "cotton", "wax resist"), certs: []string{certMPC},
			dims: ds(batikMotifs(), dyes())},
		{th: "ผ้าพันคอไหมบาติก{o}", en: "{o} silk batik scarf",
			dth: "ผ้าพันคอผ้าไหมบาติก เขียนลายด้วยมือบนไหมเนื้อบาง ขนาด 45 x 180 ซม.",
			den: "Silk batik scarf, hand-drawn on fine silk, 45 x 180 cm.",
			cat: catTextile, ci: ciFashion, unit: "piece", lo: 650, hi: 2200, moq: [2]int{3, 10}, capa: [2]int{30, 200}, lead: [2]int{7, 30},
			hs: "621410", grams: 90, art: "batik", tags: tg("batik", "silk", "scarf"), certs: []string{certMPC},
			dims: ds(batikMotifs(), dyes())},
		{th: "เสื้อบาติก{o}", en: "{o} batik shirt",
			dth: "เสื้อเชิ้ตผ้าฝ้ายบาติก ลายเขียนมือ ตัดเย็บประณีต ใส่ได้ทั้งวันทำงานและวันพักผ่อน",
			den: "Cotton batik shirt with hand-drawn motifs, neatly tailored for the office or the beach.",
			cat: catTextile, ci: ciFashion, unit: "piece", lo: 450, hi: 1200, moq: [2]int{5, 20}, capa: [2]int{50, 300}, lead: [2]int{7, 30},
			hs: "620520", grams: 250, art: "batik", tags: tg("batik", "shirt", "cotton"), certs: []string{certMPC},
			dims: ds(clothSizes(), batikMotifs())},
	}
}

func riceItems(gi, organic bool) []item {
	certs := func(extra ...string) []string {
		c := withGI(gi, append([]string{certMPC, certGMP}, extra...)...)
		if organic {
			c = append(c, certOrganic)
		}
		return c
	}
	return []item{
		{th: "ข้าวหอมมะลิ{o}", en: "{o} Hom Mali jasmine rice",
			dth: "ข้าวหอมมะลิ 105 ขัดขาว เมล็ดยาวเรียว หุงแล้วนุ่มหอม ปลูกในนาน้ำฝนและสีใหม่ก่อนส่ง ราคาต่อกิโลกรัม",
			den: "Khao Dawk Mali 105 white jasmine rice: long slender grains, soft and fragrant when cooked, rain-fed and milled to order. Priced per kilogram.",
			cat: catFood, unit: "kg", lo: 60, hi: 110, moq: [2]int{50, 500}, capa: [2]int{5000, 60000}, lead: [2]int{5, 21},
			hs: "100630", grams: 1000, art: "rice", tags: tg("rice", "jasmine rice", "hom mali"), certs: certs(),
			dims: ds(ricePacks(), riceCrops())},
		{th: "ข้าวกล้องหอมมะลิ{o}", en: "{o} brown jasmine rice",
			dth: "ข้าวกล้องหอมมะลิ กะเทาะเปลือกโดยยังคงจมูกข้าว อุดมด้วยใยอาหารและวิตามินบี ราคาต่อกิโลกรัม",
			den: "Brown jasmine rice, husked with the germ left on, rich in fibre and B vitamins. Priced per kilogram.",
			cat: catFood, unit: "kg", lo: 80, hi: 150, moq: [2]int{20, 300}, capa: [2]int{2000, 30000}, lead: [2]int{5, 21},
			hs: "100620", grams: 1000, art: "rice", tags: tg("rice", "brown rice", "wholegrain"), certs: certs(),
			dims: ds(ricePacks(), riceCrops())},
		{th: "ข้าวไรซ์เบอร์รี่{o}", en: "{o} riceberry rice",
			dth: "ข้าวไรซ์เบอร์รี่สีม่วงเข้ม ข้าวเจ้าสายพันธุ์ไทย อุดมด้วยสารต้านอนุมูลอิสระ ราคาต่อกิโลกรัม",
			den: "Riceberry, a deep purple Thai wholegrain rice rich in antioxidants. Priced per kilogram.",
			cat: catFood, unit: "kg", lo: 90, hi: 150, moq: [2]int{20, 300}, capa: [2]int{1000, 20000}, lead: [2]int{5, 21},
			hs: "100620", grams: 1000, art: "rice", tags: tg("rice", "riceberry", "wholegrain"), certs: certs(),
			dims: ds(ricePacks(), riceCrops())},
		{th: "ข้าวเหนียว กข6 {o}", en: "{o} RD6 glutinous rice",
			dth: "ข้าวเหนียวพันธุ์ กข6 เมล็ดขาวขุ่น นึ่งแล้วนุ่มหอม เหมาะทำข้าวเหนียวมะม่วง ราคาต่อกิโลกรัม",
			den: "RD6 glutinous (sticky) rice, fragrant and tender when steamed; the rice for mango sticky rice. Priced per kilogram.",
			cat: catFood, unit: "kg", lo: 55, hi: 95, moq: [2]int{50, 500}, capa: [2]int{5000, 50000}, lead: [2]int{5, 21},
			hs: "100630", grams: 1000, art: "rice", tags: tg("rice", "sticky rice", "glutinous rice"), certs: certs(),
			dims: ds(ricePacks(), riceCrops())},
	}
}

func coffeeItems(robusta, gi bool) []item {
	bean, beanEN := "อาราบิก้า", "arabica"
	lo, hi := int64(180), int64(450)
	if robusta {
		bean, beanEN = "โรบัสต้า", "robusta"
		lo, hi = 120, 260
	}
	return []item{
		{th: "เมล็ดกาแฟ" + bean + "คั่ว{o}", en: "{o} roasted " + beanEN + " beans",
			dth: "เมล็ดกาแฟ" + bean + "คั่วสดทุกสัปดาห์ เก็บเฉพาะผลเชอร์รีสุกแดงด้วยมือ ตากบนแคร่ยกพื้น บรรจุถุงมีวาล์ว",
			den: "Whole " + beanEN + " beans, roasted weekly from hand-picked ripe cherries dried on raised beds, packed in valve bags.",
			cat: catBeverage, unit: "bag", lo: lo, hi: hi, moq: [2]int{10, 50}, capa: [2]int{200, 3000}, lead: [2]int{3, 14},
			hs: "090121", grams: 250, art: "coffee", tags: tg("coffee", beanEN, "whole bean"), certs: withGI(gi, certFDA, certGMP, certOrganic),
			dims: ds(coffeePacks(), roasts(), coffeeProcesses())},
		{th: "กาแฟ" + bean + "คั่วบด{o}", en: "{o} ground " + beanEN + " coffee",
			dth: "กาแฟ" + bean + "คั่วบดละเอียดปานกลาง เหมาะกับดริปและเฟรนช์เพรส บดใหม่ก่อนจัดส่ง",
			den: "Ground " + beanEN + " coffee, medium grind for pour-over and French press, ground just before dispatch.",
			cat: catBeverage, unit: "bag", lo: lo, hi: hi, moq: [2]int{10, 50}, capa: [2]int{200, 3000}, lead: [2]int{3, 14},
			hs: "090121", grams: 250, art: "coffee", tags: tg("coffee", beanEN, "ground coffee"), certs: withGI(gi, certFDA, certGMP),
			dims: ds(coffeePacks(), roasts())},
		{th: "กาแฟดริปแบบซอง{o} (กล่อง 10 ซอง)", en: "{o} drip coffee bags, box of 10",
			dth: "กาแฟดริปแบบซองแขวนแก้ว ซองละ 10 กรัม ชงง่ายเพียงเทน้ำร้อน เหมาะเป็นของฝาก",
			den: "Single-serve drip bags of 10 g that hang on the cup: just add hot water. A popular gift.",
			cat: catBeverage, unit: "box", lo: 150, hi: 320, moq: [2]int{10, 60}, capa: [2]int{300, 4000}, lead: [2]int{3, 14},
			hs: "090121", grams: 120, art: "coffee", tags: tg("coffee", "drip bag", "gift"), certs: withGI(gi, certFDA, certGMP),
			dims: ds(roasts(), coffeeProcesses())},
		{th: "สารกาแฟ" + bean + "{o}", en: "{o} green " + beanEN + " coffee",
			dth: "สารกาแฟ" + bean + "คัดเมล็ดด้วยมือ ความชื้นไม่เกิน 12% สำหรับโรงคั่ว ราคาต่อกิโลกรัม",
			den: "Hand-sorted green " + beanEN + " coffee at 12% moisture or less, for roasters. Priced per kilogram.",
			cat: catBeverage, unit: "kg", lo: lo + 120, hi: hi + 150, moq: [2]int{30, 300}, capa: [2]int{500, 10000}, lead: [2]int{7, 30},
			hs: "090111", grams: 1000, art: "coffee", tags: tg("coffee", "green coffee", beanEN), certs: withGI(gi, certOrganic, certGMP),
			dims: ds(coffeeProcesses(), fruitGrades())},
	}
}

func herbalItems() []item {
	return []item{
		{th: "ยาหม่องสมุนไพร{o}", en: "{o} herbal balm",
			dth: "ยาหม่องสมุนไพรสูตรตำรับพื้นบ้าน เคี่ยวจากน้ำมันสมุนไพรสด ใช้ทาบรรเทาอาการปวดเมื่อยและแมลงกัดต่อย",
			den: "Herbal balm from a village recipe, cooked from fresh herb oils; rub on for aching muscles and insect bites.",
			cat: catHerbal, ci: ciMedicine, unit: "jar", lo: 35, hi: 120, moq: [2]int{24, 120}, capa: [2]int{1000, 20000}, lead: [2]int{5, 21},
			hs: "300490", grams: 15, art: "jar", tags: tg("herbal", "balm", "thai massage"), certs: tg(certFDA, certGMP, certMPC),
			dims: ds(herbScents(), balmSizes())},
		{th: "ลูกประคบสมุนไพร{o}", en: "{o} herbal compress ball",
			dth: "ลูกประคบสมุนไพรสด ไพล ขมิ้นชัน ตะไคร้ ใบมะขาม ห่อผ้าดิบ นึ่งร้อนแล้วประคบคลายกล้ามเนื้อตามแบบแพทย์แผนไทย",
			den: "Thai herbal compress of plai, turmeric, lemongrass and tamarind leaf wrapped in cotton; steam it and press on tired muscles, as in Thai traditional massage.",
			cat: catHerbal, ci: ciMedicine, unit: "piece", lo: 45, hi: 150, moq: [2]int{20, 100}, capa: [2]int{500, 10000}, lead: [2]int{3, 14},
			hs: "300490", grams: 200, art: "leaf", tags: tg("herbal", "compress", "thai massage", "spa"), certs: tg(certFDA, certMPC, certOrganic),
			dims: ds(herbScents(), compressSizes())},
		{th: "สบู่สมุนไพร{o}", en: "{o} herbal soap",
			dth: "สบู่สมุนไพรทำมือแบบกวนเย็น ผสมน้ำมันมะพร้าวและสารสกัดสมุนไพร บ่มนาน 4 สัปดาห์ อ่อนโยนต่อผิว",
			den: "Cold-process handmade soap with coconut oil and herb extracts, cured four weeks; gentle on the skin.",
			cat: catHerbal, ci: ciMedicine, unit: "piece", lo: 35, hi: 120, moq: [2]int{24, 120}, capa: [2]int{1000, 15000}, lead: [2]int{5, 21},
			hs: "340111", grams: 100, art: "soap", tags: tg("herbal", "soap", "handmade", "natural"), certs: tg(certFDA, certMPC),
			dims: ds(herbScents(), soapShapes())},
		{th: "ยาดมสมุนไพร{o}", en: "{o} herbal inhaler",
			dth: "ยาดมสมุนไพรแบบขวด บรรจุพิมเสน การบูร เมนทอล และสมุนไพรแห้ง สูดดมช่วยให้สดชื่นและบรรเทาอาการวิงเวียน",
			den: "Ya dom herbal inhaler: borneol, camphor, menthol and dried herbs in a small bottle to sniff when you need freshening up.",
			cat: catHerbal, ci: ciMedicine, unit: "piece", lo: 25, hi: 89, moq: [2]int{50, 200}, capa: [2]int{2000, 30000}, lead: [2]int{5, 21},
			hs: "300490", grams: 25, art: "bottle", tags: tg("herbal", "inhaler", "ya dom"), certs: tg(certFDA, certGMP),
			dims: ds(herbScents())},
		{th: "น้ำมันนวดสมุนไพร{o}", en: "{o} herbal massage oil",
			dth: "น้ำมันนวดสกัดจากสมุนไพรไทย ใช้นวดคลายเส้นแบบแผนไทย ซึมซาบเร็ว ไม่เหนียวเหนอะหนะ",
			den: "Massage oil infused with Thai herbs for traditional Thai massage; absorbs quickly and leaves no sticky film.",
			cat: catHerbal, ci: ciMedicine, unit: "bottle", lo: 120, hi: 350, moq: [2]int{12, 60}, capa: [2]int{300, 5000}, lead: [2]int{5, 21},
			hs: "330499", grams: 120, art: "bottle", tags: tg("herbal", "massage oil", "spa"), certs: tg(certFDA, certGMP, certOrganic),
			dims: ds(herbScents(), bottleSizes())},
		{th: "ชาสมุนไพร{o}", en: "{o} herbal tea",
			dth: "ชาสมุนไพรอบแห้งจากแปลงปลูกของกลุ่ม ไม่ใส่สี ไม่แต่งกลิ่น ชงได้ทั้งร้อนและเย็น",
			den: "Dried herbal infusion grown in the group's own plots, with no added colour or flavouring; brew hot or iced.",
			cat: catBeverage, ci: ciMedicine, unit: "pack", lo: 60, hi: 180, moq: [2]int{20, 100}, capa: [2]int{500, 8000}, lead: [2]int{5, 21},
			hs: "121190", grams: 100, art: "leaf", tags: tg("herbal tea", "caffeine free", "natural"), certs: tg(certFDA, certOrganic, certGMP),
			dims: ds(herbTeas(), teaPacks())},
	}
}

func durianItems(gi bool) []item {
	return []item{
		{th: "ทุเรียนทอด{o}", en: "{o} durian chips",
			dth: "ทุเรียนหมอนทองทอดกรอบ ฝานบางจากทุเรียนแก่จัด ทอดด้วยน้ำมันปาล์มสะอาด ไม่ใส่สารกันเสีย",
			den: "Crisp fried Monthong durian chips, sliced thin from mature fruit and fried in clean palm oil, no preservatives.",
			cat: catFood, unit: "pack", lo: 90, hi: 220, moq: [2]int{20, 100}, capa: [2]int{500, 8000}, lead: [2]int{5, 21},
			hs: "200899", grams: 100, art: "pack", tags: tg("durian", "chips", "snack"), certs: withGI(gi, certFDA, certGMP, certMPC),
			dims: ds(foodPacks(), snackFlavours())},
		{th: "ทุเรียนกวน{o}", en: "{o} durian paste",
			dth: "ทุเรียนกวนเนื้อแท้ กวนในกระทะทองเหลืองนานหลายชั่วโมงจนเหนียวหนึบ หวานหอมตามธรรมชาติ",
			den: "Pure durian paste stirred for hours in a brass pan until thick and chewy; naturally sweet and fragrant.",
			cat: catFood, ci: ciFood, unit: "pack", lo: 120, hi: 350, moq: [2]int{20, 100}, capa: [2]int{300, 5000}, lead: [2]int{5, 21},
			hs: "200799", grams: 250, art: "pack", tags: tg("durian", "fruit paste", "sweet"), certs: withGI(gi, certFDA, certMPC),
			dims: ds(foodPacks())},
		{th: "ทุเรียนฟรีซดราย{o}", en: "{o} freeze-dried durian",
			dth: "ทุเรียนหมอนทองฟรีซดราย กรอบเบา คงกลิ่นและรสของทุเรียนสด ไม่เติมน้ำตาล",
			den: "Freeze-dried Monthong durian: light and crunchy, with the aroma of fresh fruit and no added sugar.",
			cat: catFood, unit: "pack", lo: 180, hi: 450, moq: [2]int{20, 100}, capa: [2]int{200, 3000}, lead: [2]int{5, 21},
			hs: "081340", grams: 50, art: "pack", tags: tg("durian", "freeze-dried", "snack"), certs: withGI(gi, certFDA, certGMP),
			dims: ds(foodPacks())},
	}
}

func cashewItems() []item {
	return []item{
		{th: "เม็ดมะม่วงหิมพานต์อบ{o}", en: "{o} roasted cashew nuts",
			dth: "เม็ดมะม่วงหิมพานต์เม็ดใหญ่ คัดเกรดเต็มเม็ด อบด้วยเตาถ่านแบบโบราณ หอมมัน กรอบ",
			den: "Large whole cashews, graded by hand and roasted over charcoal the traditional way: rich and crunchy.",
			cat: catFood, unit: "pack", lo: 120, hi: 320, moq: [2]int{20, 100}, capa: [2]int{500, 6000}, lead: [2]int{5, 21},
			hs: "200819", grams: 200, art: "pack", tags: tg("cashew", "nuts", "snack"), certs: tg(certFDA, certGMP, certMPC, certHalal),
			dims: ds(snackFlavours(), foodPacks())},
		{th: "เม็ดมะม่วงหิมพานต์ดิบ{o} (กะเทาะเปลือก)", en: "{o} raw shelled cashews",
			dth: "เม็ดมะม่วงหิมพานต์ดิบกะเทาะเปลือกด้วยมือ เกรด W320 สำหรับร้านเบเกอรี่และโรงคั่ว ราคาต่อกิโลกรัม",
			den: "Hand-shelled raw cashews, W320 grade, for bakeries and roasters. Priced per kilogram.",
			cat: catFood, unit: "kg", lo: 450, hi: 750, moq: [2]int{10, 100}, capa: [2]int{500, 5000}, lead: [2]int{7, 30},
			hs: "080132", grams: 1000, art: "pack", tags: tg("cashew", "raw nuts", "bulk"), certs: tg(certGMP, certHalal),
			dims: ds(fruitGrades())},
	}
}

func coconutItems() []item {
	return []item{
		{th: "น้ำมันมะพร้าวสกัดเย็น{o}", en: "{o} virgin coconut oil",
			dth: "น้ำมันมะพร้าวบริสุทธิ์สกัดเย็นจากมะพร้าวแก่สด ไม่ผ่านความร้อน ใช้ได้ทั้งปรุงอาหารและบำรุงผิว",
			den: "Cold-pressed virgin coconut oil from fresh mature coconuts, never heated; for cooking and for skin care.",
			cat: catFood, unit: "bottle", lo: 120, hi: 350, moq: [2]int{12, 60}, capa: [2]int{500, 8000}, lead: [2]int{5, 21},
			hs: "151311", grams: 250, art: "bottle", tags: tg("coconut", "virgin coconut oil", "cold pressed"), certs: tg(certFDA, certGMP, certOrganic, certHalal),
			dims: ds(bottleSizes())},
		{th: "มะพร้าวแผ่นอบกรอบ{o}", en: "{o} toasted coconut chips",
			dth: "เนื้อมะพร้าวอ่อนฝานเป็นแผ่น อบกรอบ หวานน้อย กินเล่นหรือโรยหน้าโยเกิร์ต",
			den: "Thin slices of young coconut baked crisp, lightly sweet; snack on them or scatter them over yoghurt.",
			cat: catFood, unit: "pack", lo: 45, hi: 120, moq: [2]int{24, 120}, capa: [2]int{1000, 15000}, lead: [2]int{5, 21},
			hs: "200819", grams: 80, art: "pack", tags: tg("coconut", "chips", "snack"), certs: tg(certFDA, certGMP, certHalal),
			dims: ds(snackFlavours(), foodPacks())},
		{th: "น้ำตาลมะพร้าว{o}", en: "{o} coconut sugar",
			dth: "น้ำตาลมะพร้าวแท้จากน้ำหวานจั่นมะพร้าว เคี่ยวด้วยเตาฟืนจนข้น หอมกลิ่นคาราเมล ไม่ผสมน้ำตาลทราย",
			den: "Pure coconut sugar from the sap of coconut blossoms, boiled down over a wood fire; caramel-scented, with no cane sugar added.",
			cat: catFood, ci: ciFood, unit: "jar", lo: 60, hi: 160, moq: [2]int{24, 120}, capa: [2]int{500, 8000}, lead: [2]int{5, 21},
			hs: "170290", grams: 500, art: "jar", tags: tg("coconut sugar", "natural sweetener"), certs: tg(certFDA, certMPC, certOrganic),
			dims: ds(jarSizes())},
	}
}

func palmSugarItems(gi bool) []item {
	return []item{
		{th: "น้ำตาลโตนด{o}", en: "{o} palm sugar",
			dth: "น้ำตาลโตนดแท้ เคี่ยวจากน้ำตาลสดที่ขึ้นต้นตาลเก็บทุกเช้า หยอดเป็นถ้วยตามแบบโบราณ หอมหวานละมุน",
			den: "Pure sugar-palm sugar, boiled down from sap the climbers collect every morning and set in small cups the old way; mellow and fragrant.",
			cat: catFood, ci: ciFood, unit: "jar", lo: 60, hi: 180, moq: [2]int{24, 120}, capa: [2]int{500, 8000}, lead: [2]int{5, 21},
			hs: "170290", grams: 500, art: "jar", tags: tg("palm sugar", "natural sweetener"), certs: withGI(gi, certFDA, certMPC),
			dims: ds(jarSizes())},
		{th: "น้ำตาลสดโตนดพาสเจอร์ไรซ์{o}", en: "{o} fresh palm sap drink",
			dth: "น้ำตาลสดจากต้นตาลโตนด ผ่านการพาสเจอร์ไรซ์ หวานหอมสดชื่น เก็บในตู้เย็น",
			den: "Fresh sugar-palm sap, pasteurised: sweet, fragrant and refreshing. Keep refrigerated.",
			cat: catBeverage, unit: "bottle", lo: 25, hi: 60, moq: [2]int{24, 120}, capa: [2]int{1000, 10000}, lead: [2]int{1, 5},
			hs: "220299", grams: 300, art: "bottle", tags: tg("palm sap", "juice", "fresh"), certs: tg(certFDA, certGMP),
			dims: ds(bottleSizes())},
	}
}

func basketItems(material, materialEN, hs string, gi bool) []item {
	return []item{
		{th: "ตะกร้าสาน" + material + "{o}", en: "{o} woven " + materialEN + " basket",
			dth: "ตะกร้าสาน" + material + "ทำมือ ขึ้นโครงแน่นหนา ใช้ใส่ของ จัดเก็บ หรือเป็นตะกร้าปิกนิก",
			den: "Hand-woven " + materialEN + " basket on a sturdy frame, for shopping, storage or picnics.",
			cat: catHousehold, ci: ciCrafts, unit: "piece", lo: 120, hi: 650, moq: [2]int{5, 30}, capa: [2]int{50, 400}, lead: [2]int{7, 30},
			hs: hs, grams: 350, art: "basket", tags: tg("basketry", materialEN, "handwoven"), certs: withGI(gi, certMPC),
			dims: ds(basketSizes(), weaveColours())},
		{th: "กระเป๋าสาน" + material + "{o}", en: "{o} woven " + materialEN + " handbag",
			dth: "กระเป๋าถือสาน" + material + " บุซับในผ้าฝ้าย หูหนังแท้ งานสานละเอียดทั้งใบ",
			den: "Handbag woven from " + materialEN + ", lined with cotton, with leather handles; finely woven all over.",
			cat: catHousehold, ci: ciDesign, unit: "piece", lo: 350, hi: 1800, moq: [2]int{3, 20}, capa: [2]int{30, 250}, lead: [2]int{10, 40},
			hs: hs, grams: 400, art: "basket", tags: tg("handbag", materialEN, "handwoven"), certs: withGI(gi, certMPC),
			dims: ds(weaveColours(), basketSizes())},
		{th: "กล่องสาน" + material + "{o}", en: "{o} woven " + materialEN + " storage box",
			dth: "กล่องสาน" + material + "มีฝาปิด ใช้เก็บของหรือใส่ของขวัญ ทรงสวย แข็งแรง",
			den: "Lidded storage box woven from " + materialEN + "; neat, strong and gift-ready.",
			cat: catHousehold, ci: ciDesign, unit: "piece", lo: 150, hi: 750, moq: [2]int{5, 30}, capa: [2]int{50, 400}, lead: [2]int{7, 30},
			hs: hs, grams: 300, art: "basket", tags: tg("storage", materialEN, "handwoven"), certs: []string{certMPC},
			dims: ds(basketSizes(), weaveColours())},
	}
}

func dryFishItems(fishTH, fishEN, hs string, lo, hi int64, gi bool) []item {
	return []item{
		{th: fishTH + "แดดเดียว{o}", en: "{o} sun-dried " + fishEN,
			dth: fishTH + "ตัวโต ขอดเกล็ด ล้างสะอาด หมักเกลือแล้วตากแดดเดียวบนตะแกรงไม้ไผ่ ทอดแล้วเนื้อฟูหอม ราคาต่อกิโลกรัม",
			den: "Plump " + fishEN + ", scaled and cleaned, salted and dried for one day in the sun on bamboo racks; fries up fluffy and fragrant. Priced per kilogram.",
			cat: catFood, ci: ciFood, unit: "kg", lo: lo, hi: hi, moq: [2]int{5, 30}, capa: [2]int{200, 3000}, lead: [2]int{3, 14},
			hs: hs, grams: 1000, art: "fish", tags: tg("dried fish", "seafood", "sun-dried"), certs: withGI(gi, certFDA, certMPC, certHalal),
			dims: ds(fishPacks(), fruitGrades())},
	}
}
