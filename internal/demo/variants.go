package demo

// opt is one value of a variant dimension of a product: a pattern, a colour,
// a size or a flavour. pct scales the base price and wpct the weight (0 means
// 100: unchanged); tag, when set, is added to the product's tags.
type opt struct {
	th, en, tag string
	pct, wpct   int
}

// The variant dimensions. They are functions, not package variables, so the
// package holds no mutable state; Generate builds its library once per call.

func silkPatterns() []opt {
	return []opt{
		{th: "ลายนาคน้อย", en: "Little Naga pattern", tag: "naga"},
		{th: "ลายหมี่ขอ", en: "Mee Khor hook pattern"},
		{th: "ลายดอกแก้ว", en: "Dok Kaew blossom pattern"},
		{th: "ลายสร้อยดอกหมาก", en: "Soi Dok Mak pattern"},
		{th: "ลายกาบบัว", en: "Kab Bua lotus pattern", tag: "lotus"},
		{th: "ลายหมากจับ", en: "Mak Chap pattern"},
		{th: "ลายแคนแก่นคูน", en: "Khaen Kaen Khun pattern"},
		{th: "ลายต้นสน", en: "Pine Tree pattern"},
		{th: "ลายนกยูง", en: "Peacock pattern", tag: "peacock"},
		{th: "ลายช่อพิกุล", en: "Pikul Flower pattern"},
		{th: "ลายโคม", en: "Lantern pattern"},
		{th: "ลายปราสาท", en: "Prasat Temple pattern"},
		{th: "ลายหงส์", en: "Swan pattern"},
		{th: "ลายขอนาค", en: "Naga Hook pattern", tag: "naga"},
	}
}

func brocadePatterns() []opt {
	return []opt{
		{th: "ลายดอกพิกุล", en: "Pikul flower brocade"},
		{th: "ลายพิกุลก้านแย่ง", en: "Pikul Kan Yaeng brocade"},
		{th: "ลายดอกพุดตาน", en: "Phud Tan flower brocade"},
		{th: "ลายดอกมะลิ", en: "jasmine flower brocade", tag: "jasmine"},
		{th: "ลายเครือเถา", en: "vine scroll brocade"},
		{th: "ลายกุดั่น", en: "Kudan brocade"},
		{th: "ลายดอกบัวหลวง", en: "sacred lotus brocade", tag: "lotus"},
		{th: "ลายช่อลำดวน", en: "Lamduan blossom brocade"},
		{th: "ลายพญานาค", en: "naga king brocade", tag: "naga"},
	}
}

func dyes() []opt {
	return []opt{
		{th: "สีแดงครั่ง", en: "lac red", tag: "red"},
		{th: "สีครามเข้ม", en: "deep indigo", tag: "indigo"},
		{th: "สีเหลืองขมิ้น", en: "turmeric yellow", tag: "yellow"},
		{th: "สีเขียวใบตอง", en: "banana-leaf green", tag: "green"},
		{th: "สีม่วงมังคุด", en: "mangosteen purple", tag: "purple"},
		{th: "สีน้ำตาลเปลือกประดู่", en: "padauk-bark brown", tag: "brown"},
		{th: "สีชมพูกลีบบัว", en: "lotus pink", tag: "pink"},
		{th: "สีทองอร่าม", en: "burnished gold", tag: "gold"},
		{th: "สีดำมะเกลือ", en: "ebony black", tag: "black"},
		{th: "สีฟ้าดอกอัญชัน", en: "butterfly-pea blue", tag: "blue"},
		{th: "สีส้มแสด", en: "saffron orange", tag: "orange"},
		{th: "สีเทาเงิน", en: "silver grey", tag: "grey"},
	}
}

func indigoShades() []opt {
	return []opt{
		{th: "ครามอ่อน", en: "pale indigo"},
		{th: "ครามกลาง", en: "mid indigo"},
		{th: "ครามเข้ม", en: "deep indigo"},
		{th: "ครามดำ", en: "midnight indigo"},
		{th: "ครามมัดย้อมลายวงกลม", en: "indigo shibori circles", tag: "tie-dye"},
		{th: "ครามมัดย้อมลายริ้ว", en: "indigo shibori stripes", tag: "tie-dye"},
	}
}

func cottonPatterns() []opt {
	return []opt{
		{th: "ลายตาหมากรุก", en: "checked", tag: "checked"},
		{th: "ลายริ้ว", en: "striped", tag: "striped"},
		{th: "ลายน้ำไหล", en: "Nam Lai flowing-water pattern"},
		{th: "ลายขิด", en: "khit diamond pattern"},
		{th: "ลายดอกจัน", en: "star flower pattern"},
		{th: "ลายเกล็ดเต่า", en: "turtle-shell pattern"},
		{th: "ลายขอ", en: "hook pattern"},
		{th: "ลายตาราง", en: "grid pattern"},
		{th: "ลายดอกแปดกลีบ", en: "eight-petal flower pattern"},
		{th: "ลายนกคู่", en: "twin bird pattern"},
	}
}

func clothSizes() []opt {
	return []opt{
		{th: "ไซซ์ S", en: "size S", wpct: 90},
		{th: "ไซซ์ M", en: "size M"},
		{th: "ไซซ์ L", en: "size L", pct: 105, wpct: 110},
		{th: "ไซซ์ XL", en: "size XL", pct: 110, wpct: 120},
	}
}

func umbrellaSizes() []opt {
	return []opt{
		{th: "ขนาด 10 นิ้ว", en: "10 in", pct: 100, wpct: 40},
		{th: "ขนาด 16 นิ้ว", en: "16 in", pct: 170, wpct: 70},
		{th: "ขนาด 20 นิ้ว", en: "20 in", pct: 240, wpct: 100},
		{th: "ขนาด 30 นิ้ว", en: "30 in", pct: 420, wpct: 180},
	}
}

func paintedMotifs() []opt {
	return []opt{
		{th: "ลายดอกบัว", en: "lotus motif", tag: "lotus"},
		{th: "ลายกล้วยไม้", en: "orchid motif", tag: "orchid"},
		{th: "ลายดอกซากุระดอย", en: "Himalayan cherry motif"},
		{th: "ลายนกยูง", en: "peacock motif", tag: "peacock"},
		{th: "ลายช้าง", en: "elephant motif", tag: "elephant"},
		{th: "ลายดอกเอื้องผึ้ง", en: "golden orchid motif", tag: "orchid"},
		{th: "ลายดอกทานตะวัน", en: "sunflower motif"},
		{th: "ลายใบไผ่", en: "bamboo leaf motif"},
		{th: "ลายดอกพุดตาน", en: "cotton rose motif"},
		{th: "ลายผีเสื้อ", en: "butterfly motif"},
	}
}

func paperColours() []opt {
	return []opt{
		{th: "พื้นสีแดง", en: "red ground", tag: "red"},
		{th: "พื้นสีเหลือง", en: "yellow ground", tag: "yellow"},
		{th: "พื้นสีเขียว", en: "green ground", tag: "green"},
		{th: "พื้นสีฟ้า", en: "sky-blue ground", tag: "blue"},
		{th: "พื้นสีชมพู", en: "pink ground", tag: "pink"},
		{th: "พื้นสีครีม", en: "cream ground"},
		{th: "พื้นสีม่วง", en: "purple ground", tag: "purple"},
		{th: "พื้นสีดำ", en: "black ground", tag: "black"},
	}
}

func carveSizes() []opt {
	return []opt{
		{th: "สูง 15 ซม.", en: "15 cm tall", pct: 100, wpct: 100},
		{th: "สูง 25 ซม.", en: "25 cm tall", pct: 220, wpct: 250},
		{th: "สูง 40 ซม.", en: "40 cm tall", pct: 480, wpct: 600},
	}
}

func carveSubjects() []opt {
	return []opt{
		{th: "รูปช้าง", en: "elephant", tag: "elephant"},
		{th: "รูปช้างแม่ลูก", en: "mother and calf elephants", tag: "elephant"},
		{th: "รูปช้างชูงวง", en: "trunk-up elephant", tag: "elephant"},
		{th: "รูปช้างทรงเครื่อง", en: "caparisoned elephant", tag: "elephant"},
	}
}

func woodFinishes() []opt {
	return []opt{
		{th: "ขัดเงา", en: "polished"},
		{th: "ทาน้ำมันธรรมชาติ", en: "natural oil finish"},
		{th: "ทำสีโบราณ", en: "antique finish"},
		{th: "ลงรักปิดทอง", en: "gilded lacquer", pct: 140},
	}
}

func vaseSizes() []opt {
	return []opt{
		{th: "สูง 20 ซม.", en: "20 cm", pct: 100, wpct: 100},
		{th: "สูง 30 ซม.", en: "30 cm", pct: 180, wpct: 190},
		{th: "สูง 45 ซม.", en: "45 cm", pct: 320, wpct: 380},
	}
}

func bowlSizes() []opt {
	return []opt{
		{th: "ขนาด 5 นิ้ว", en: "5 in", pct: 100, wpct: 100},
		{th: "ขนาด 6 นิ้ว", en: "6 in", pct: 130, wpct: 135},
		{th: "ขนาด 7 นิ้ว", en: "7 in", pct: 170, wpct: 180},
		{th: "ขนาด 8 นิ้ว", en: "8 in", pct: 220, wpct: 240},
	}
}

func celadonGlazes() []opt {
	return []opt{
		{th: "เคลือบเขียวหยก", en: "jade green glaze", tag: "green"},
		{th: "เคลือบฟ้าอมเขียว", en: "blue-green glaze"},
		{th: "เคลือบเขียวมะกอก", en: "olive glaze"},
		{th: "เคลือบลายราน", en: "crackle glaze", tag: "crackle"},
		{th: "เคลือบขาวนวล", en: "ivory glaze"},
	}
}

func earthenFinishes() []opt {
	return []opt{
		{th: "ผิวดินเผาธรรมชาติ", en: "natural fired clay"},
		{th: "ผิวรมควันดำ", en: "smoke-blackened finish"},
		{th: "ผิวทองแดง", en: "copper sheen finish"},
		{th: "ฉลุลายดอกไม้", en: "pierced floral design"},
		{th: "แกะลายกนก", en: "carved kanok scrolls"},
	}
}

func benjarongPatterns() []opt {
	return []opt{
		{th: "ลายเทพพนม", en: "Thep Phanom pattern"},
		{th: "ลายก้านขด", en: "coiled tendril pattern"},
		{th: "ลายดอกพุดตาน", en: "Phud Tan flower pattern"},
		{th: "ลายประจำยาม", en: "Prachamyam quatrefoil pattern"},
		{th: "ลายน้ำทองลายครามผสม", en: "gold-and-blue pattern", tag: "gold"},
		{th: "ลายกุหลาบ", en: "rose pattern"},
	}
}

func metalPatterns() []opt {
	return []opt{
		{th: "ลายกนกเปลว", en: "flame scroll pattern"},
		{th: "ลายดอกพิกุล", en: "pikul flower pattern"},
		{th: "ลายประจำยาม", en: "quatrefoil pattern"},
		{th: "ลายเครือวัลย์", en: "vine pattern"},
		{th: "ลายใบเทศ", en: "leaf arabesque pattern"},
	}
}

func metalFinishes() []opt {
	return []opt{
		{th: "ถมเงิน", en: "silver niello", tag: "silver", pct: 100},
		{th: "ถมทอง", en: "gold niello", tag: "gold", pct: 160},
		{th: "ถมตะทอง", en: "parcel-gilt niello", tag: "gold", pct: 130},
	}
}

func basketSizes() []opt {
	return []opt{
		{th: "ใบเล็ก", en: "small", pct: 100, wpct: 100},
		{th: "ใบกลาง", en: "medium", pct: 150, wpct: 160},
		{th: "ใบใหญ่", en: "large", pct: 220, wpct: 240},
	}
}

func weaveColours() []opt {
	return []opt{
		{th: "สีธรรมชาติ", en: "natural colour", tag: "natural"},
		{th: "ย้อมสีม่วง", en: "purple-dyed", tag: "purple"},
		{th: "ย้อมสีแดง", en: "red-dyed", tag: "red"},
		{th: "ย้อมสีเขียว", en: "green-dyed", tag: "green"},
		{th: "สองสีลายขัด", en: "two-tone twill"},
		{th: "ลายดอกพิกุล", en: "pikul flower weave"},
		{th: "ลายลูกแก้ว", en: "diamond weave"},
	}
}

func matSizes() []opt {
	return []opt{
		{th: "90 x 180 ซม.", en: "90 x 180 cm", pct: 100, wpct: 100},
		{th: "120 x 200 ซม.", en: "120 x 200 cm", pct: 140, wpct: 145},
		{th: "150 x 200 ซม.", en: "150 x 200 cm", pct: 170, wpct: 180},
		{th: "180 x 200 ซม.", en: "180 x 200 cm", pct: 200, wpct: 215},
	}
}

func foodPacks() []opt {
	return []opt{
		{th: "ถุง 100 กรัม", en: "100 g", pct: 100, wpct: 100},
		{th: "ถุง 250 กรัม", en: "250 g", pct: 220, wpct: 250},
		{th: "ถุง 500 กรัม", en: "500 g", pct: 400, wpct: 500},
	}
}

func coffeePacks() []opt {
	return []opt{
		{th: "ถุง 250 กรัม", en: "250 g bag", pct: 100, wpct: 100},
		{th: "ถุง 500 กรัม", en: "500 g bag", pct: 190, wpct: 200},
		{th: "ถุง 1 กิโลกรัม", en: "1 kg bag", pct: 360, wpct: 400},
	}
}

func roasts() []opt {
	return []opt{
		{th: "คั่วอ่อน", en: "light roast", tag: "light roast"},
		{th: "คั่วกลาง", en: "medium roast", tag: "medium roast"},
		{th: "คั่วกลางค่อนเข้ม", en: "medium-dark roast"},
		{th: "คั่วเข้ม", en: "dark roast", tag: "dark roast"},
	}
}

func coffeeProcesses() []opt {
	return []opt{
		{th: "โพรเซสแบบเปียก", en: "washed", tag: "washed"},
		{th: "ฮันนี่โพรเซส", en: "honey process", tag: "honey process"},
		{th: "เนเชอรัลโพรเซส", en: "natural process", tag: "natural process"},
	}
}

func teaPacks() []opt {
	return []opt{
		{th: "ถุง 100 กรัม", en: "100 g", pct: 100, wpct: 100},
		{th: "กระป๋อง 200 กรัม", en: "200 g tin", pct: 210, wpct: 230},
		{th: "ถุง 500 กรัม", en: "500 g", pct: 460, wpct: 500},
	}
}

func bottleSizes() []opt {
	return []opt{
		{th: "ขวด 300 มล.", en: "300 ml", pct: 100, wpct: 100},
		{th: "ขวด 700 มล.", en: "700 ml", pct: 200, wpct: 210},
		{th: "ขวด 1 ลิตร", en: "1 litre", pct: 270, wpct: 290},
	}
}

func jarSizes() []opt {
	return []opt{
		{th: "กระปุก 100 กรัม", en: "100 g jar", pct: 100, wpct: 100},
		{th: "กระปุก 200 กรัม", en: "200 g jar", pct: 180, wpct: 190},
		{th: "กระปุก 500 กรัม", en: "500 g jar", pct: 400, wpct: 430},
	}
}

func snackFlavours() []opt {
	return []opt{
		{th: "รสดั้งเดิม", en: "original"},
		{th: "รสต้มยำ", en: "tom yum flavour"},
		{th: "รสพริกเผา", en: "roasted chilli flavour", tag: "spicy"},
		{th: "รสสาหร่าย", en: "seaweed flavour"},
		{th: "รสน้ำผึ้ง", en: "honey glazed", tag: "honey"},
		{th: "รสลาบ", en: "larb spice flavour", tag: "spicy"},
		{th: "รสเกลือหิมาลายัน", en: "lightly salted"},
	}
}

func sweetFlavours() []opt {
	return []opt{
		{th: "ไส้ถั่วแดง", en: "red bean"},
		{th: "ไส้งาดำ", en: "black sesame"},
		{th: "ไส้ชาเขียว", en: "green tea"},
		{th: "ไส้ทุเรียน", en: "durian", tag: "durian"},
		{th: "ไส้เผือก", en: "taro"},
		{th: "ไส้ใบเตย", en: "pandan", tag: "pandan"},
		{th: "ไส้มะพร้าว", en: "coconut", tag: "coconut"},
	}
}

func boxSizes() []opt {
	return []opt{
		{th: "กล่อง 6 ชิ้น", en: "box of 6", pct: 100, wpct: 100},
		{th: "กล่อง 12 ชิ้น", en: "box of 12", pct: 190, wpct: 200},
		{th: "กล่องของขวัญ 20 ชิ้น", en: "gift box of 20", pct: 320, wpct: 340},
	}
}

func herbScents() []opt {
	return []opt{
		{th: "สูตรไพล", en: "plai", tag: "plai"},
		{th: "สูตรตะไคร้", en: "lemongrass", tag: "lemongrass"},
		{th: "สูตรมะกรูด", en: "kaffir lime", tag: "kaffir lime"},
		{th: "สูตรขมิ้นชัน", en: "turmeric", tag: "turmeric"},
		{th: "สูตรสะระแหน่", en: "mint", tag: "mint"},
		{th: "สูตรการบูร", en: "camphor", tag: "camphor"},
		{th: "สูตรยูคาลิปตัส", en: "eucalyptus", tag: "eucalyptus"},
		{th: "สูตรดอกมะลิ", en: "jasmine", tag: "jasmine"},
		{th: "สูตรว่านนางคำ", en: "wild turmeric"},
		{th: "สูตรเสลดพังพอน", en: "Clinacanthus"},
	}
}

func herbTeas() []opt {
	return []opt{
		{th: "ดอกอัญชัน", en: "butterfly pea", tag: "butterfly pea"},
		{th: "กระเจี๊ยบแดง", en: "roselle", tag: "roselle"},
		{th: "ใบเตย", en: "pandan", tag: "pandan"},
		{th: "ตะไคร้ใบเตย", en: "lemongrass and pandan", tag: "lemongrass"},
		{th: "ขิง", en: "ginger", tag: "ginger"},
		{th: "ใบหม่อน", en: "mulberry leaf", tag: "mulberry"},
		{th: "ดอกคำฝอย", en: "safflower"},
		{th: "เก๊กฮวย", en: "chrysanthemum"},
	}
}

func ricePacks() []opt {
	return []opt{
		{th: "ถุงสุญญากาศ 1 กก.", en: "1 kg vacuum pack", pct: 105},
		{th: "ถุงผ้า 5 กก.", en: "5 kg cloth bag"},
		{th: "กระสอบ 15 กก.", en: "15 kg sack", pct: 95},
		{th: "กล่องของขวัญ 2 กก.", en: "2 kg gift box", pct: 115},
	}
}

func riceCrops() []opt {
	return []opt{
		{th: "ข้าวใหม่ต้นฤดู", en: "new crop"},
		{th: "สีใหม่ทุกสัปดาห์", en: "freshly milled weekly"},
		{th: "คัดพิเศษ", en: "premium grade", pct: 110},
		{th: "ปลูกแบบนาหยอด", en: "dry-sown paddy"},
	}
}

func fruitGrades() []opt {
	return []opt{
		{th: "เกรดส่งออก", en: "export grade", pct: 120},
		{th: "เกรด A", en: "grade A"},
		{th: "คละขนาด", en: "mixed sizes", pct: 85},
	}
}

func drumSizes() []opt {
	return []opt{
		{th: "หน้ากลอง 8 นิ้ว", en: "8 in head", pct: 100, wpct: 100},
		{th: "หน้ากลอง 10 นิ้ว", en: "10 in head", pct: 140, wpct: 150},
		{th: "หน้ากลอง 12 นิ้ว", en: "12 in head", pct: 190, wpct: 210},
	}
}

func drumWoods() []opt {
	return []opt{
		{th: "ไม้ขนุน", en: "jackfruit wood"},
		{th: "ไม้มะม่วง", en: "mango wood"},
		{th: "ไม้ก้ามปู", en: "rain-tree wood"},
	}
}

func khaenSizes() []opt {
	return []opt{
		{th: "แคนหก", en: "six-pair", pct: 80},
		{th: "แคนเจ็ด", en: "seven-pair", pct: 100},
		{th: "แคนแปด", en: "eight-pair", pct: 125},
		{th: "แคนเก้า", en: "nine-pair", pct: 150},
	}
}

func khaenKeys() []opt {
	return []opt{
		{th: "เสียงลา", en: "in La"},
		{th: "เสียงซอล", en: "in Sol"},
		{th: "เสียงโด", en: "in Do"},
		{th: "เสียงเร", en: "in Re"},
	}
}

func pillowSections() []opt {
	return []opt{
		{th: "3 ช่อง", en: "3-section", pct: 60, wpct: 50},
		{th: "5 ช่อง", en: "5-section", pct: 80, wpct: 75},
		{th: "10 ช่อง", en: "10-section", pct: 120, wpct: 130},
	}
}

func jewelleryForms() []opt {
	return []opt{
		{th: "สร้อยข้อมือ", en: "bracelet", pct: 100},
		{th: "สร้อยคอ", en: "necklace", pct: 160},
		{th: "ต่างหู", en: "earrings", pct: 70},
		{th: "แหวน", en: "ring", pct: 60},
		{th: "จี้", en: "pendant", pct: 80},
	}
}

func hatSizes() []opt {
	return []opt{
		{th: "ขนาดเด็ก", en: "child size", pct: 80},
		{th: "ขนาดมาตรฐาน", en: "standard size"},
		{th: "ปีกกว้าง", en: "wide brim", pct: 120},
	}
}

func soapShapes() []opt {
	return []opt{
		{th: "ก้อน 100 กรัม", en: "100 g bar"},
		{th: "ก้อน 150 กรัม", en: "150 g bar", pct: 140, wpct: 150},
		{th: "แพ็ก 3 ก้อน", en: "pack of 3", pct: 270, wpct: 300},
	}
}

func teenJokMotifs() []opt {
	return []opt{
		{th: "ลายหงส์", en: "swan motif"},
		{th: "ลายนกคู่กินน้ำร่วมต้น", en: "twin birds at the fountain"},
		{th: "ลายขันหมากเชียงแสน", en: "Chiang Saen betel-tray motif"},
		{th: "ลายละกอน", en: "Lakorn motif"},
		{th: "ลายโคมเชียงแสน", en: "Chiang Saen lantern motif"},
		{th: "ลายดอกเครือ", en: "flower vine motif"},
		{th: "ลายหน่วยนอก", en: "Nuay Nok motif"},
		{th: "ลายนาคกุ้ม", en: "coiled naga motif", tag: "naga"},
	}
}

func batikMotifs() []opt {
	return []opt{
		{th: "ลายดอกชบา", en: "hibiscus", tag: "hibiscus"},
		{th: "ลายปลาการ์ตูน", en: "clownfish"},
		{th: "ลายปะการัง", en: "coral reef", tag: "sea"},
		{th: "ลายกล้วยไม้ป่า", en: "wild orchid", tag: "orchid"},
		{th: "ลายนกเงือก", en: "hornbill"},
		{th: "ลายดอกราชพฤกษ์", en: "golden shower flower"},
		{th: "ลายคลื่นทะเล", en: "ocean waves", tag: "sea"},
		{th: "ลายใบยางพารา", en: "rubber leaf"},
		{th: "ลายผีเสื้อ", en: "butterfly"},
		{th: "ลายดอกลีลาวดี", en: "frangipani"},
	}
}

func fishPacks() []opt {
	return []opt{
		{th: "แพ็ก 500 กรัม", en: "500 g pack", pct: 50, wpct: 50},
		{th: "แพ็ก 1 กก.", en: "1 kg pack"},
		{th: "กล่องของฝาก 2 กก.", en: "2 kg gift box", pct: 210, wpct: 200},
	}
}

func balmSizes() []opt {
	return []opt{
		{th: "ขวด 15 กรัม", en: "15 g jar"},
		{th: "ขวด 30 กรัม", en: "30 g jar", pct: 170, wpct: 200},
		{th: "ตลับ 50 กรัม", en: "50 g tin", pct: 260, wpct: 330},
	}
}

func compressSizes() []opt {
	return []opt{
		{th: "ลูกละ 100 กรัม", en: "100 g", pct: 80, wpct: 50},
		{th: "ลูกละ 200 กรัม", en: "200 g"},
		{th: "ลูกละ 300 กรัม", en: "300 g", pct: 130, wpct: 150},
	}
}
