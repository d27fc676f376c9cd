package demo

// More product families: the crafts of particular places.

func brocadeItems() []item {
	return []item{
		{th: "ผ้าไหมยกดอก{o}", en: "{o} brocade silk sarong length",
			dth: "ผ้าไหมยกดอกทอมือ ยกลวดลายด้วยเส้นไหมพุ่งพิเศษ บางผืนแซมดิ้นทอง ผืนยาว 2 เมตร ทอโดยช่างทอที่สืบทอดลายราชสำนักล้านนา",
			den: "Handwoven brocade (yok dok) silk, 2 m long: motifs raised in supplementary weft, some shot with gold thread, by weavers who keep the Lanna court patterns alive.",
			cat: catTextile, ci: ciCrafts, unit: "piece", lo: 3500, hi: 15000, moq: [2]int{1, 3}, capa: [2]int{5, 40}, lead: [2]int{30, 90},
			hs: "500720", grams: 500, art: "weave", tags: tg("silk", "brocade", "yok dok", "handwoven"), certs: tg(certMPC, certGI),
			dims: ds(brocadePatterns(), dyes())},
		{th: "ผ้าคลุมไหล่ไหมยกดอก{o}", en: "{o} brocade silk shawl",
			dth: "ผ้าคลุมไหล่ไหมยกดอก ขนาด 50 x 200 ซม. เนื้อผ้าแน่น ลวดลายนูนเด่น",
			den: "Brocade silk shawl, 50 x 200 cm, dense and crisp, with the pattern standing out in relief.",
			cat: catTextile, ci: ciFashion, unit: "piece", lo: 1500, hi: 4500, moq: [2]int{1, 5}, capa: [2]int{10, 80}, lead: [2]int{20, 60},
			hs: "621410", grams: 200, art: "weave", tags: tg("silk", "brocade", "shawl"), certs: tg(certMPC, certGI),
			dims: ds(brocadePatterns(), dyes())},
	}
}

func umbrellaItems() []item {
	return []item{
		{th: "ร่มกระดาษสา{o}", en: "{o} painted saa-paper umbrella",
			dth: "ร่มกระดาษสาโครงไม้ไผ่ ขึ้นซี่ร่มและหุ้มกระดาษสาด้วยมือ เขียนลายด้วยพู่กันทีละคัน เคลือบน้ำมันกันแดดกันฝน",
			den: "Mulberry-paper umbrella on a split-bamboo frame, ribbed and covered by hand, painted one by one with a brush and oiled against sun and rain.",
			cat: catHousehold, ci: ciCrafts, unit: "piece", lo: 150, hi: 450, moq: [2]int{5, 20}, capa: [2]int{100, 800}, lead: [2]int{7, 30},
			hs: "660110", grams: 500, art: "umbrella", tags: tg("umbrella", "saa paper", "hand-painted", "bamboo"), certs: tg(certMPC, certGI),
			dims: ds(umbrellaSizes(), paintedMotifs(), paperColours())},
		{th: "ร่มผ้าฝ้ายเขียนลาย{o}", en: "{o} hand-painted cotton parasol",
			dth: "ร่มผ้าฝ้ายโครงไม้ไผ่ เขียนลายดอกไม้ด้วยสีอะคริลิก ใช้กันแดดหรือประดับร้าน รีสอร์ต และงานแต่งงาน",
			den: "Cotton parasol on a bamboo frame, painted with flowers in acrylics, for shade or to dress a shop, resort or wedding.",
			cat: catHousehold, ci: ciDesign, unit: "piece", lo: 250, hi: 650, moq: [2]int{5, 20}, capa: [2]int{50, 500}, lead: [2]int{7, 30},
			hs: "660191", grams: 600, art: "umbrella", tags: tg("parasol", "hand-painted", "decor"), certs: tg(certMPC),
			dims: ds(umbrellaSizes(), paintedMotifs(), paperColours())},
	}
}

func woodcarvingItems() []item {
	return []item{
		{th: "ช้างไม้แกะสลัก{o}", en: "{o} carved wooden elephant",
			dth: "ช้างแกะสลักจากไม้จามจุรี แกะหยาบด้วยสิ่วแล้วเก็บรายละเอียดด้วยมือทีละตัว ไม่มีตัวไหนเหมือนกัน",
			den: "Elephant carved from rain-tree wood: roughed out with chisels, then finished by hand, so no two are alike.",
			cat: catHousehold, ci: ciCrafts, unit: "piece", lo: 350, hi: 1500, moq: [2]int{2, 10}, capa: [2]int{30, 300}, lead: [2]int{14, 45},
			hs: "442190", grams: 800, art: "wood", tags: tg("wood carving", "elephant", "handmade", "decor"), certs: tg(certMPC),
			dims: ds(carveSubjects(), carveSizes(), woodFinishes())},
		{th: "ถาดไม้สักแกะลาย{o}", en: "{o} carved teak tray",
			dth: "ถาดไม้สักแท้ แกะลายขอบด้วยมือ เคลือบด้วยน้ำมันที่ปลอดภัยสำหรับอาหาร",
			den: "Solid teak tray with a hand-carved rim, finished with a food-safe oil.",
			cat: catHousehold, ci: ciDesign, unit: "piece", lo: 280, hi: 950, moq: [2]int{3, 15}, capa: [2]int{50, 400}, lead: [2]int{10, 40},
			hs: "441900", grams: 900, art: "wood", tags: tg("teak", "tray", "tableware"), certs: tg(certMPC),
			dims: ds(basketSizes(), woodFinishes())},
	}
}

func celadonItems(place string) []item {
	return []item{
		{th: "แจกันเซลาดอน{o}", en: "{o} celadon vase",
			dth: "แจกันเครื่องเคลือบเซลาดอน ขึ้นรูปด้วยแป้นหมุน เคลือบขี้เถ้าไม้ผสมดินท้องถิ่น เผาในเตาฟืนที่อุณหภูมิสูงกว่า 1,250 องศา",
			den: "Wheel-thrown celadon vase under a glaze of wood ash and local clay, fired in a wood kiln above 1,250 °C.",
			cat: catHousehold, ci: ciCrafts, unit: "piece", lo: 450, hi: 1800, moq: [2]int{2, 10}, capa: [2]int{30, 300}, lead: [2]int{14, 45},
			hs: "691390", grams: 900, art: "ceramic", tags: tg("celadon", "ceramics", "vase", place), certs: tg(certMPC, certTIS),
			dims: ds(vaseSizes(), celadonGlazes())},
		{th: "ชามเซลาดอน{o}", en: "{o} celadon bowl",
			dth: "ชามเซลาดอนเนื้อสโตนแวร์ ใช้กับอาหารร้อนและเครื่องล้างจานได้ ผิวเคลือบรานเป็นเอกลักษณ์",
			den: "Stoneware celadon bowl, safe for hot food and the dishwasher, with the signature crackled glaze.",
			cat: catHousehold, ci: ciDesign, unit: "piece", lo: 120, hi: 480, moq: [2]int{6, 24}, capa: [2]int{200, 2000}, lead: [2]int{10, 40},
			hs: "691200", grams: 400, art: "ceramic", tags: tg("celadon", "tableware", "bowl", place), certs: tg(certMPC, certTIS),
			dims: ds(bowlSizes(), celadonGlazes())},
	}
}

func potteryItems(gi bool) []item {
	return []item{
		{th: "แจกันดินเผา{o}", en: "{o} terracotta vase",
			dth: "แจกันดินเผาจากดินริมแม่น้ำ ขึ้นรูปด้วยมือ เผาด้วยเตาฟืนจนผิวเป็นสีสนิมเหล็กตามธรรมชาติ",
			den: "Terracotta vase from river clay, shaped by hand and wood-fired until the surface takes on its natural iron-rust colour.",
			cat: catHousehold, ci: ciCrafts, unit: "piece", lo: 250, hi: 1200, moq: [2]int{2, 10}, capa: [2]int{50, 400}, lead: [2]int{14, 45},
			hs: "691390", grams: 1500, art: "ceramic", tags: tg("pottery", "terracotta", "vase"), certs: withGI(gi, certMPC),
			dims: ds(vaseSizes(), earthenFinishes())},
		{th: "โคมไฟดินเผาฉลุลาย{o}", en: "{o} pierced terracotta lamp",
			dth: "โคมไฟดินเผาฉลุลายด้วยมือ แสงลอดลายเป็นเงาสวยบนผนัง พร้อมขั้วหลอดไฟมาตรฐาน",
			den: "Hand-pierced terracotta lamp that throws patterned light on the walls, wired with a standard bulb holder.",
			cat: catHousehold, ci: ciDesign, unit: "piece", lo: 450, hi: 1800, moq: [2]int{2, 10}, capa: [2]int{30, 200}, lead: [2]int{14, 45},
			hs: "691390", grams: 2000, art: "ceramic", tags: tg("pottery", "lamp", "decor"), certs: withGI(gi, certMPC),
			dims: ds(vaseSizes(), earthenFinishes())},
	}
}

func dragonJarItems() []item {
	glazes := []opt{
		{th: "เคลือบน้ำตาลลายมังกรทอง", en: "brown glaze with gold dragon", tag: "dragon"},
		{th: "เคลือบดำลายมังกร", en: "black glaze dragon", tag: "dragon"},
		{th: "เคลือบเขียวขี้ม้า", en: "olive green glaze"},
		{th: "ลายดอกไม้นูน", en: "raised floral design"},
	}
	return []item{
		{th: "โอ่งมังกร{o}", en: "{o} dragon jar",
			dth: "โอ่งมังกรเคลือบ ขึ้นรูปด้วยมือจากดินแม่น้ำแม่กลอง ปั้นลายมังกรนูนแล้วเผาเตามังกร ใช้เก็บน้ำหรือเป็นของตกแต่งสวน",
			den: "Glazed dragon jar hand-built from Mae Klong river clay, the raised dragon modelled on by hand and fired in a dragon kiln; for water or as a garden piece.",
			cat: catHousehold, ci: ciCrafts, unit: "piece", lo: 650, hi: 3500, moq: [2]int{1, 5}, capa: [2]int{20, 200}, lead: [2]int{14, 60},
			hs: "691490", grams: 12000, art: "ceramic", tags: tg("dragon jar", "ceramics", "garden"), certs: tg(certMPC, certTIS),
			dims: ds(vaseSizes(), glazes)},
		{th: "กระถางเซรามิกลายมังกร{o}", en: "{o} dragon-pattern ceramic planter",
			dth: "กระถางต้นไม้เซรามิกเคลือบลายมังกร มีรูระบายน้ำ ทนแดดทนฝน",
			den: "Glazed ceramic planter with the dragon pattern, with a drainage hole; weatherproof.",
			cat: catHousehold, ci: ciDesign, unit: "piece", lo: 180, hi: 900, moq: [2]int{4, 20}, capa: [2]int{100, 800}, lead: [2]int{10, 40},
			hs: "691490", grams: 2500, art: "ceramic", tags: tg("planter", "ceramics", "garden"), certs: tg(certMPC),
			dims: ds(bowlSizes(), glazes)},
	}
}

func benjarongItems() []item {
	return []item{
		{th: "โถเบญจรงค์{o}", en: "{o} benjarong lidded jar",
			dth: "โถเบญจรงค์เขียนลายด้วยมือ ลงสีห้าสีและตัดเส้นน้ำทอง เผาซ้ำหลายครั้ง เป็นเครื่องถ้วยชั้นสูงแบบไทยโบราณ",
			den: "Hand-painted benjarong lidded jar in five enamel colours outlined in liquid gold, fired several times over; Thai court porcelain.",
			cat: catHousehold, ci: ciCrafts, unit: "piece", lo: 900, hi: 4500, moq: [2]int{1, 5}, capa: [2]int{20, 200}, lead: [2]int{14, 60},
			hs: "691110", grams: 600, art: "ceramic", tags: tg("benjarong", "porcelain", "hand-painted", "gift"), certs: tg(certMPC),
			dims: ds(benjarongPatterns(), vaseSizes())},
		{th: "ชุดถ้วยชาเบญจรงค์{o}", en: "{o} benjarong tea cup set",
			dth: "ชุดถ้วยชาเบญจรงค์พร้อมจานรอง บรรจุกล่องผ้าไหม เหมาะเป็นของขวัญสำหรับแขกผู้ใหญ่",
			den: "Benjarong tea cups with saucers in a silk-lined box, a gift fit for honoured guests.",
			cat: catHousehold, ci: ciDesign, unit: "set", lo: 1200, hi: 5500, moq: [2]int{1, 5}, capa: [2]int{20, 150}, lead: [2]int{14, 60},
			hs: "691110", grams: 1200, art: "ceramic", tags: tg("benjarong", "tea set", "gift"), certs: tg(certMPC),
			dims: ds(benjarongPatterns())},
	}
}

func nielloItems() []item {
	return []item{
		{th: "ขันเครื่องถม{o}", en: "{o} nielloware bowl",
			dth: "ขันเงินเครื่องถม แกะลายบนเนื้อเงินแล้วลงยาถมสีดำ ขัดจนลายเงินเด่น งานช่างถมเมืองนครที่สืบทอดมาหลายร้อยปี",
			den: "Silver nielloware bowl: the pattern is engraved, filled with black niello and polished until the silver lines shine, a craft handed down for centuries.",
			cat: catHousehold, ci: ciCrafts, unit: "piece", lo: 2500, hi: 12000, moq: [2]int{1, 3}, capa: [2]int{5, 50}, lead: [2]int{30, 90},
			hs: "711411", grams: 250, art: "niello", tags: tg("nielloware", "silver", "heritage"), certs: tg(certMPC, certGI),
			dims: ds(metalFinishes(), metalPatterns())},
		{th: "เครื่องประดับถม{o}", en: "{o} niello jewellery",
			dth: "เครื่องประดับเงินถม ลวดลายไทยละเอียด บรรจุกล่องกำมะหยี่",
			den: "Silver niello jewellery with fine Thai patterns, in a velvet box.",
			cat: catTextile, ci: ciFashion, unit: "piece", lo: 650, hi: 4500, moq: [2]int{2, 10}, capa: [2]int{20, 200}, lead: [2]int{14, 45},
			hs: "711311", grams: 20, art: "jewellery", tags: tg("nielloware", "jewellery", "silver"), certs: tg(certMPC, certGI),
			dims: ds(jewelleryForms(), metalFinishes(), metalPatterns())},
	}
}

func silverItems() []item {
	return []item{
		{th: "เครื่องประดับเงิน{o}", en: "{o} silver jewellery",
			dth: "เครื่องประดับเงินแท้ 92.5% ร้อยจากลูกปะเกือมที่ช่างเคาะและเชื่อมทีละเม็ดด้วยมือ",
			den: "Sterling silver (92.5%) jewellery strung from prakuam beads, each one hammered and soldered by hand.",
			cat: catTextile, ci: ciFashion, unit: "piece", lo: 450, hi: 3500, moq: [2]int{3, 12}, capa: [2]int{50, 500}, lead: [2]int{7, 30},
			hs: "711311", grams: 15, art: "jewellery", tags: tg("silver", "jewellery", "prakuam", "handmade"), certs: tg(certMPC),
			dims: ds(jewelleryForms(), metalPatterns())},
	}
}

func matItems(material, materialEN string) []item {
	return []item{
		{th: "เสื่อ" + material + "{o}", en: "{o} " + materialEN + " mat",
			dth: "เสื่อ" + material + "ทอมือ ย้อมสีและทอลายตามแบบชุมชน พับเก็บง่าย ใช้ปูนั่ง ปูนอน หรือแขวนตกแต่งผนัง",
			den: "Handwoven " + materialEN + " mat, dyed and patterned in the village style; folds away easily; for sitting, sleeping or hanging on a wall.",
			cat: catHousehold, ci: ciCrafts, unit: "piece", lo: 250, hi: 950, moq: [2]int{3, 20}, capa: [2]int{50, 500}, lead: [2]int{10, 40},
			hs: "460129", grams: 1200, art: "basket", tags: tg("mat", materialEN, "handwoven"), certs: tg(certMPC),
			dims: ds(matSizes(), weaveColours())},
		{th: "หมวกสาน" + material + "{o}", en: "{o} woven " + materialEN + " hat",
			dth: "หมวกสาน" + material + " น้ำหนักเบา ระบายอากาศดี กันแดดได้ทั้งวัน",
			den: "Light, airy hat woven from " + materialEN + "; shade for a whole day outdoors.",
			cat: catTextile, ci: ciFashion, unit: "piece", lo: 120, hi: 450, moq: [2]int{5, 30}, capa: [2]int{100, 800}, lead: [2]int{7, 30},
			hs: "650400", grams: 150, art: "basket", tags: tg("hat", materialEN, "handwoven"), certs: tg(certMPC),
			dims: ds(hatSizes(), weaveColours())},
	}
}

func khitItems() []item {
	return []item{
		{th: "หมอนขิด{o}", en: "{o} khit triangle pillow",
			dth: "หมอนขวานผ้าขิดยัดนุ่น เย็บแยกช่องแล้วพับขึ้นรูปสามเหลี่ยม ผ้าขิดทอมือลายเรขาคณิตแบบอีสาน",
			den: "Triangular axe pillow stuffed with kapok, sewn in separate sections and folded into shape, covered in handwoven Isan khit cloth.",
			cat: catHousehold, ci: ciCrafts, unit: "piece", lo: 350, hi: 1500, moq: [2]int{3, 20}, capa: [2]int{50, 600}, lead: [2]int{7, 30},
			hs: "940490", grams: 1800, art: "pillow", tags: tg("khit", "pillow", "kapok", "isan"), certs: tg(certMPC),
			dims: ds(pillowSections(), dyes())},
		{th: "ปลอกหมอนอิงผ้าขิด{o}", en: "{o} khit cushion cover",
			dth: "ปลอกหมอนอิงผ้าขิดทอมือ ขนาด 45 x 45 ซม. มีซิปซ่อน",
			den: "Handwoven khit cushion cover, 45 x 45 cm, with a hidden zip.",
			cat: catHousehold, ci: ciDesign, unit: "piece", lo: 150, hi: 450, moq: [2]int{5, 30}, capa: [2]int{100, 800}, lead: [2]int{7, 30},
			hs: "630492", grams: 180, art: "pillow", tags: tg("khit", "cushion", "handwoven"), certs: tg(certMPC),
			dims: ds(cottonPatterns(), dyes())},
	}
}

func khaenItems() []item {
	return []item{
		{th: "แคน{o}", en: "{o} khaen mouth organ",
			dth: "แคนไม้ซางคัดลำ ลิ้นทองเหลืองผสมเงิน เต้าไม้ประดู่ ช่างตั้งเสียงทีละลำด้วยหู",
			den: "Khaen of selected bamboo pipes with silver-brass reeds in a padauk wind chest, each pipe tuned by ear by the maker.",
			cat: catHousehold, ci: ciMusic, unit: "piece", lo: 800, hi: 4500, moq: [2]int{1, 5}, capa: [2]int{10, 100}, lead: [2]int{14, 60},
			hs: "920590", grams: 600, art: "instrument", tags: tg("khaen", "musical instrument", "isan", "bamboo"), certs: tg(certMPC),
			dims: ds(khaenSizes(), khaenKeys())},
	}
}

func drumItems() []item {
	return []item{
		{th: "กลองยาว{o}", en: "{o} klong yao long drum",
			dth: "กลองยาวขุดจากไม้ท่อนเดียว ขึงหนังวัวด้วยเชือกหนัง ตั้งเสียงทุ้มก้อง ใช้ในขบวนแห่และงานบุญ",
			den: "Long drum hollowed from a single log and headed with cowhide laced with rawhide, tuned deep and resonant for processions and temple fairs.",
			cat: catHousehold, ci: ciMusic, unit: "piece", lo: 1800, hi: 6500, moq: [2]int{1, 3}, capa: [2]int{5, 60}, lead: [2]int{21, 75},
			hs: "920600", grams: 6000, art: "instrument", tags: tg("drum", "musical instrument", "handmade"), certs: tg(certMPC),
			dims: ds(drumSizes(), drumWoods())},
		{th: "กลองทัดจิ๋วที่ระลึก{o}", en: "{o} miniature temple drum",
			dth: "กลองทัดขนาดเล็กสำหรับตั้งโชว์และเป็นของที่ระลึก ตีได้เสียงจริง",
			den: "Miniature klong that temple drum for display or as a souvenir; it really plays.",
			cat: catHousehold, ci: ciCrafts, unit: "piece", lo: 250, hi: 900, moq: [2]int{3, 20}, capa: [2]int{50, 400}, lead: [2]int{7, 30},
			hs: "920600", grams: 800, art: "instrument", tags: tg("drum", "souvenir", "miniature"), certs: tg(certMPC),
			dims: ds(drumSizes(), drumWoods())},
	}
}

func sweetItems() []item {
	return []item{
		{th: "ขนมเปี๊ยะ{o}", en: "{o} khanom pia pastries",
			dth: "ขนมเปี๊ยะแป้งบางกรอบเป็นชั้น ไส้แน่น หวานน้อย อบใหม่ทุกวัน ไม่ใส่วัตถุกันเสีย",
			den: "Khanom pia: flaky, thin-skinned pastries with a generous, not-too-sweet filling, baked fresh daily without preservatives.",
			cat: catFood, ci: ciFood, unit: "box", lo: 80, hi: 220, moq: [2]int{10, 60}, capa: [2]int{500, 6000}, lead: [2]int{2, 7},
			hs: "190590", grams: 400, art: "pack", tags: tg("pastry", "khanom pia", "gift"), certs: tg(certFDA, certGMP, certMPC),
			dims: ds(sweetFlavours(), boxSizes())},
		{th: "ขนมหม้อแกง{o}", en: "{o} khanom mo kaeng custard",
			dth: "ขนมหม้อแกงไข่เป็ด กะทิสดและน้ำตาลโตนด อบในเตาถ่านจนหน้าเกรียม โรยหอมเจียว",
			den: "Khanom mo kaeng: duck-egg custard with fresh coconut cream and palm sugar, baked over charcoal to a caramelised top and scattered with fried shallots.",
			cat: catFood, ci: ciFood, unit: "box", lo: 60, hi: 180, moq: [2]int{10, 50}, capa: [2]int{300, 3000}, lead: [2]int{1, 5},
			hs: "190590", grams: 500, art: "pack", tags: tg("thai dessert", "custard", "palm sugar"), certs: tg(certFDA, certMPC),
			dims: ds(sweetFlavours(), boxSizes())},
	}
}

func fishSauceItems(halal bool) []item {
	c := func(base ...string) []string {
		if halal {
			return append(base, certHalal)
		}
		return base
	}
	return []item{
		{th: "น้ำปลาแท้{o}", en: "{o} fish sauce",
			dth: "น้ำปลาแท้หมักจากปลากะตักสดกับเกลือทะเลในโอ่งดินนาน 12–18 เดือน สีน้ำตาลทองใส กลิ่นหอมไม่คาว",
			den: "Pure fish sauce from fresh anchovies and sea salt, aged 12 to 18 months in earthen vats: clear, golden brown and fragrant.",
			cat: catFood, ci: ciFood, unit: "bottle", lo: 45, hi: 180, moq: [2]int{24, 120}, capa: [2]int{1000, 20000}, lead: [2]int{3, 14},
			hs: "210390", grams: 700, art: "bottle", tags: tg("fish sauce", "anchovy", "seasoning"), certs: c(certFDA, certGMP, certMPC),
			dims: ds(bottleSizes())},
		{th: "กะปิ{o}", en: "{o} shrimp paste",
			dth: "กะปิเคยแท้ หมักเคยกับเกลือแล้วตากแดดและโขลกซ้ำหลายรอบ เนื้อเนียน หอมกลิ่นทะเล",
			den: "Pure krill shrimp paste, salted, sun-dried and pounded several times over; smooth and full of the smell of the sea.",
			cat: catFood, ci: ciFood, unit: "jar", lo: 60, hi: 220, moq: [2]int{24, 120}, capa: [2]int{500, 8000}, lead: [2]int{3, 14},
			hs: "210390", grams: 200, art: "jar", tags: tg("shrimp paste", "kapi", "seasoning"), certs: c(certFDA, certMPC),
			dims: ds(jarSizes())},
	}
}

func halalSnackItems() []item {
	return []item{
		{th: "กรือโป๊ะ{o}", en: "{o} keropok fish crackers",
			dth: "ข้าวเกรียบปลากรือโป๊ะ ทำจากเนื้อปลาทะเลสดกับแป้งสาคู นึ่ง หั่น และตากแดดตามสูตรมลายูดั้งเดิม ทอดแล้วพองกรอบ",
			den: "Keropok fish crackers of fresh sea fish and sago flour, steamed, sliced and sun-dried to the traditional Malay recipe; they puff up crisp when fried.",
			cat: catFood, ci: ciFood, unit: "pack", lo: 50, hi: 150, moq: [2]int{24, 120}, capa: [2]int{1000, 12000}, lead: [2]int{3, 14},
			hs: "190590", grams: 200, art: "pack", tags: tg("halal", "keropok", "fish crackers", "snack"), certs: tg(certHalal, certFDA, certMPC),
			dims: ds(snackFlavours(), foodPacks())},
		{th: "เนื้อแดดเดียว{o}", en: "{o} sun-dried beef",
			dth: "เนื้อวัวหมักเครื่องเทศแล้วตากแดดเดียว เชือดตามหลักศาสนาอิสลาม ทอดหรือย่างก่อนรับประทาน",
			den: "Spiced beef, slaughtered according to Islamic law, marinated and dried for a day in the sun; fry or grill before eating.",
			cat: catFood, ci: ciFood, unit: "pack", lo: 120, hi: 320, moq: [2]int{10, 60}, capa: [2]int{300, 3000}, lead: [2]int{3, 14},
			hs: "021020", grams: 250, art: "pack", tags: tg("halal", "beef", "sun-dried"), certs: tg(certHalal, certFDA, certGMP),
			dims: ds(foodPacks())},
		{th: "โรตีกรอบ{o}", en: "{o} crispy roti",
			dth: "โรตีกรอบแผ่นบาง ราดนมข้นและน้ำตาล ขนมกินเล่นยอดนิยมของชายแดนใต้ ผลิตในครัวฮาลาล",
			den: "Thin crispy roti with condensed milk and sugar, a favourite snack of the deep south, made in a halal kitchen.",
			cat: catFood, ci: ciFood, unit: "pack", lo: 35, hi: 99, moq: [2]int{24, 120}, capa: [2]int{1000, 10000}, lead: [2]int{2, 10},
			hs: "190590", grams: 150, art: "pack", tags: tg("halal", "roti", "snack"), certs: tg(certHalal, certFDA, certMPC),
			dims: ds(snackFlavours(), foodPacks())},
	}
}

func porkItems() []item {
	return []item{
		{th: "ไส้อั่ว{o}", en: "{o} sai ua herb sausage",
			dth: "ไส้อั่วหมูสูตรล้านนา ผสมพริกแกง ตะไคร้ ใบมะกรูด และขมิ้น ย่างถ่านหอม บรรจุสุญญากาศ",
			den: "Lanna-style sai ua pork sausage with curry paste, lemongrass, kaffir lime leaf and turmeric, charcoal-grilled and vacuum-packed.",
			cat: catFood, ci: ciFood, unit: "pack", lo: 90, hi: 220, moq: [2]int{10, 60}, capa: [2]int{300, 4000}, lead: [2]int{2, 7},
			hs: "160100", grams: 500, art: "pack", tags: tg("pork", "sausage", "sai ua"), certs: tg(certFDA, certGMP, certMPC), pork: true,
			dims: ds(foodPacks())},
		{th: "แหนมหมู{o}", en: "{o} naem fermented pork",
			dth: "แหนมหมูหมักกับข้าวเหนียวและกระเทียม ห่อใบตอง เปรี้ยวกำลังดีภายใน 3 วัน",
			den: "Naem: pork fermented with sticky rice and garlic, wrapped in banana leaf; pleasantly sour within three days.",
			cat: catFood, ci: ciFood, unit: "pack", lo: 60, hi: 180, moq: [2]int{10, 60}, capa: [2]int{300, 5000}, lead: [2]int{2, 7},
			hs: "160249", grams: 300, art: "pack", tags: tg("pork", "naem", "fermented"), certs: tg(certFDA, certMPC), pork: true,
			dims: ds(foodPacks(), snackFlavours())},
		{th: "หมูยอ{o}", en: "{o} mu yo pork roll",
			dth: "หมูยอเนื้อแน่นจากหมูสด นึ่งในใบตอง สูตรญวนดั้งเดิม ไม่ใส่แป้งและสารกันเสีย",
			den: "Mu yo, Vietnamese-style pork roll of fresh pork steamed in banana leaf, with no filler or preservatives.",
			cat: catFood, ci: ciFood, unit: "pack", lo: 80, hi: 200, moq: [2]int{10, 60}, capa: [2]int{300, 5000}, lead: [2]int{2, 7},
			hs: "160249", grams: 500, art: "pack", tags: tg("pork", "mu yo", "pork roll"), certs: tg(certFDA, certGMP, certMPC), pork: true,
			dims: ds(foodPacks())},
	}
}

func fruitItems(fruitTH, fruitEN string, gi bool) []item {
	return []item{
		{th: fruitTH + "อบแห้ง{o}", en: "{o} dried " + fruitEN,
			dth: fruitTH + "คัดผลสุกกำลังดี อบด้วยตู้อบพลังแสงอาทิตย์ หวานธรรมชาติ ไม่เติมสี",
			den: "Ripe " + fruitEN + " dried in solar dryers: naturally sweet, with no added colouring.",
			cat: catFood, unit: "pack", lo: 60, hi: 180, moq: [2]int{20, 100}, capa: [2]int{500, 8000}, lead: [2]int{3, 14},
			hs: "081340", grams: 200, art: "pack", tags: tg("dried fruit", fruitEN, "snack"), certs: withGI(gi, certFDA, certGMP, certMPC),
			dims: ds(foodPacks(), fruitGrades())},
		{th: fruitTH + "สด{o}", en: "{o} fresh " + fruitEN,
			dth: fruitTH + "สดจากสวน คัดเกรดและแพ็กกล่องในวันเก็บ ส่งตรงถึงผู้ซื้อ ราคาต่อกิโลกรัม",
			den: "Fresh " + fruitEN + " from the orchard, graded and boxed the day it is picked and shipped direct. Priced per kilogram.",
			cat: catFood, unit: "kg", lo: 40, hi: 160, moq: [2]int{20, 200}, capa: [2]int{2000, 30000}, lead: [2]int{1, 7},
			hs: "081090", grams: 1000, art: "leaf", tags: tg("fresh fruit", fruitEN), certs: withGI(gi, certGMP, certOrganic),
			dims: ds(fruitGrades())},
	}
}

func teaItems(gi bool) []item {
	return []item{
		{th: "ชาอูหลงดอย{o}", en: "{o} highland oolong tea",
			dth: "ชาอูหลงจากไร่บนดอยสูงกว่า 1,200 เมตร เก็บยอดสองใบหนึ่งยอด นวดและคั่วด้วยมือ น้ำชาสีทองหอมดอกไม้",
			den: "Oolong from gardens above 1,200 m: two leaves and a bud, rolled and roasted by hand for a golden, floral cup.",
			cat: catBeverage, unit: "pack", lo: 150, hi: 600, moq: [2]int{10, 60}, capa: [2]int{200, 3000}, lead: [2]int{3, 14},
			hs: "090230", grams: 100, art: "leaf", tags: tg("tea", "oolong", "highland"), certs: withGI(gi, certFDA, certGMP, certOrganic),
			dims: ds(teaPacks())},
	}
}
