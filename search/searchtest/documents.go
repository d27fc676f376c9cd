package searchtest

import (
	"time"

	"github.com/otopmarket/otop/internal/catalog"
)

// place is where a producer works, as the indexer flattens it.
type place struct {
	code, nameEN, nameTH, region, cluster, center string
}

var (
	khonKaen  = place{"TH-40", "Khon Kaen", "ขอนแก่น", "northeast", "middle-northeast", "khon-kaen"}
	ubon      = place{"TH-34", "Ubon Ratchathani", "อุบลราชธานี", "northeast", "lower-northeast-2", "khon-kaen"}
	chiangMai = place{"TH-50", "Chiang Mai", "เชียงใหม่", "north", "upper-north-1", "chiang-mai"}
	chiangRai = place{"TH-57", "Chiang Rai", "เชียงราย", "north", "upper-north-2", "chiang-mai"}
	songkhla  = place{"TH-90", "Songkhla", "สงขลา", "south", "south-border", "songkhla"}
	chumphon  = place{"TH-86", "Chumphon", "ชุมพร", "south", "south-gulf", "songkhla"}
	bangkok   = place{"TH-10", "Bangkok", "กรุงเทพมหานคร", "central", "", "bangkok"}
)

// base is the publication time of the first document; document i is
// published i hours later, so "newest" is the reverse of the list order.
var base = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

type spec struct {
	id                 string
	nameEN, nameTH     string
	descEN, descTH     string
	tags               []string
	producer           string
	producerEN         string
	producerTH         string
	category, creative string
	at                 place
	stars              int
	topotop            bool
	price              int64
	certs              []string
	certNumbers        []string
	hs                 string
}

var specs = []spec{
	{id: "p01", nameEN: "Mudmee Silk Scarf", nameTH: "ผ้าพันคอไหมมัดหมี่",
		descEN: "Hand-dyed mudmee silk woven on a wooden loom by the weavers of Chonnabot.",
		descTH: "ผ้าไหมมัดหมี่ย้อมมือ ทอด้วยกี่ไม้โดยกลุ่มทอผ้าชนบท",
		tags:   []string{"silk", "ikat", "scarf"}, producer: "pr-chonnabot", producerEN: "Chonnabot Weavers Group",
		producerTH: "กลุ่มทอผ้าไหมชนบท", category: "textile", creative: "fashion", at: khonKaen, stars: 5, topotop: true,
		price: 189000, certs: []string{"otop_stars"}, certNumbers: []string{"OTOP-5-2026-0001"}, hs: "62142000"},
	{id: "p02", nameEN: "Praewa Silk Shawl", nameTH: "ผ้าคลุมไหล่ไหมแพรวา",
		descEN: "Praewa silk with supplementary weft patterns, a Phu Thai heritage.",
		descTH: "ผ้าไหมแพรวาลายขิด มรดกภูไท",
		tags:   []string{"silk", "shawl"}, producer: "pr-chonnabot", producerEN: "Chonnabot Weavers Group",
		producerTH: "กลุ่มทอผ้าไหมชนบท", category: "textile", creative: "fashion", at: khonKaen, stars: 4,
		price: 320000},
	{id: "p03", nameEN: "Indigo Cotton Shirt", nameTH: "เสื้อผ้าฝ้ายย้อมคราม",
		descEN: "Natural indigo dyed cotton shirt, loose fit.",
		descTH: "เสื้อผ้าฝ้ายย้อมครามธรรมชาติ ทรงหลวม",
		tags:   []string{"cotton", "indigo"}, producer: "pr-sakon", producerEN: "Baan Khram Indigo",
		producerTH: "บ้านครามสกล", category: "textile", creative: "fashion", at: ubon, stars: 3,
		price: 95000, certs: []string{"organic"}, certNumbers: []string{"ORG-7781"}},
	{id: "p04", nameEN: "Bo Sang Paper Umbrella", nameTH: "ร่มกระดาษสาบ่อสร้าง",
		descEN: "Hand-painted mulberry paper umbrella from Bo Sang, oiled against the rain.",
		descTH: "ร่มกระดาษสาเขียนลายมือจากบ่อสร้าง",
		tags:   []string{"umbrella", "handicraft"}, producer: "pr-bosang", producerEN: "Bo Sang Umbrella Makers",
		producerTH: "กลุ่มทำร่มบ่อสร้าง", category: "household", creative: "crafts", at: chiangMai, stars: 5, topotop: true,
		price: 65000, certs: []string{"tis"}, certNumbers: []string{"TIS-2549-01"}},
	{id: "p05", nameEN: "Celadon Tea Cup", nameTH: "ถ้วยชาศิลาดล",
		descEN: "Jade-green celadon glaze fired in a wood kiln.",
		descTH: "เคลือบศิลาดลสีเขียวหยก เผาด้วยเตาฟืน",
		tags:   []string{"celadon", "ceramics"}, producer: "pr-celadon", producerEN: "Lanna Celadon Works",
		producerTH: "ศิลาดลล้านนา", category: "household", creative: "crafts", at: chiangMai, stars: 4,
		price: 45000, hs: "69120000"},
	{id: "p06", nameEN: "Doi Chang Arabica Coffee", nameTH: "กาแฟอาราบิก้าดอยช้าง",
		descEN: "Medium roast arabica coffee beans grown under shade on Doi Chang.",
		descTH: "เมล็ดกาแฟอาราบิก้าคั่วกลาง ปลูกใต้ร่มไม้บนดอยช้าง",
		tags:   []string{"coffee", "arabica"}, producer: "pr-doichang", producerEN: "Doi Chang Farmers",
		producerTH: "เกษตรกรดอยช้าง", category: "beverage", creative: "thai_food", at: chiangRai, stars: 5, topotop: true,
		price: 35000, certs: []string{"thai_fda", "organic"}, certNumbers: []string{"FDA-57-1-12345-2-0001", "ORG-9001"},
		hs: "09012100"},
	{id: "p07", nameEN: "Jasmine Rice", nameTH: "ข้าวหอมมะลิทุ่งกุลา",
		descEN: "Hom Mali jasmine rice from the Thung Kula Ronghai plain.",
		descTH: "ข้าวหอมมะลิจากทุ่งกุลาร้องไห้",
		tags:   []string{"rice"}, producer: "pr-kula", producerEN: "Thung Kula Rice Cooperative",
		producerTH: "สหกรณ์ข้าวทุ่งกุลา", category: "food", creative: "thai_food", at: ubon, stars: 4,
		price: 12000, certs: []string{"gi", "gmp"}, certNumbers: []string{"GI-52100001"}, hs: "10063000"},
	{id: "p08", nameEN: "Pak Phanang Fish Sauce", nameTH: "น้ำปลาแท้ปากพนัง",
		descEN: "Anchovy fish sauce fermented for eighteen months.",
		descTH: "น้ำปลาจากปลากะตักหมักสิบแปดเดือน",
		tags:   []string{"fish sauce", "seasoning"}, producer: "pr-songkhla", producerEN: "Songkhla Lake Fishers",
		producerTH: "ชาวประมงทะเลสาบสงขลา", category: "food", creative: "thai_food", at: songkhla, stars: 3,
		price: 8000, certs: []string{"thai_fda", "halal"}, certNumbers: []string{"FDA-90-2-00077-1-0002"}},
	{id: "p09", nameEN: "Herbal Balm", nameTH: "ยาหม่องสมุนไพร",
		descEN: "Camphor and plai herbal balm for aching muscles.",
		descTH: "ยาหม่องสมุนไพรการบูรและไพล แก้ปวดเมื่อย",
		tags:   []string{"balm", "herbal"}, producer: "pr-herb", producerEN: "Chumphon Herb Women's Group",
		producerTH: "กลุ่มแม่บ้านสมุนไพรชุมพร", category: "herbal", creative: "thai_traditional_medicine",
		at: chumphon, stars: 2, price: 6000, certs: []string{"thai_fda"}, certNumbers: []string{"FDA-86-1-55555-1-0001"}},
	{id: "p10", nameEN: "Krajood Woven Basket", nameTH: "ตะกร้ากระจูดสาน",
		descEN: "Sedge basket woven by hand, sturdy and light.",
		descTH: "ตะกร้าสานจากกระจูด แข็งแรงและเบา",
		tags:   []string{"basket", "krajood"}, producer: "pr-krajood", producerEN: "Thale Noi Krajood Group",
		producerTH: "กลุ่มจักสานกระจูดทะเลน้อย", category: "household", creative: "crafts", at: songkhla,
		price: 42000},
	{id: "p11", nameEN: "Batik Sarong", nameTH: "ผ้าถุงบาติก",
		descEN: "Wax-resist batik on cotton with sea motifs.",
		descTH: "ผ้าบาติกเขียนเทียนบนผ้าฝ้าย ลายทะเล",
		tags:   []string{"batik", "cotton"}, producer: "pr-batik", producerEN: "Songkhla Batik House",
		producerTH: "บ้านบาติกสงขลา", category: "textile", creative: "fashion", at: songkhla, stars: 3,
		price: 55000},
	{id: "p12", nameEN: "Benjarong Jar", nameTH: "โถเบญจรงค์",
		descEN: "Five-colour enamel porcelain jar painted with gold.",
		descTH: "โถกระเบื้องเบญจรงค์ลงยาห้าสี เขียนทอง",
		tags:   []string{"benjarong", "porcelain"}, producer: "pr-benja", producerEN: "Bangkok Benjarong Studio",
		producerTH: "สตูดิโอเบญจรงค์กรุงเทพ", category: "household", creative: "design", at: bangkok, stars: 5,
		topotop: true, price: 480000},
	{id: "p13", nameEN: "Teak Elephant Carving", nameTH: "ช้างไม้สักแกะสลัก",
		descEN: "Elephant carved from reclaimed teak wood.",
		descTH: "ช้างแกะสลักจากไม้สักเก่า",
		tags:   []string{"wood carving", "elephant"}, producer: "pr-carve", producerEN: "Ban Tawai Carvers",
		producerTH: "ช่างแกะสลักบ้านถวาย", category: "household", creative: "crafts", at: chiangMai, stars: 4,
		price: 150000},
	{id: "p14", nameEN: "Roselle Juice", nameTH: "น้ำกระเจี๊ยบ",
		descEN: "Roselle drink with palm sugar, no preservatives.",
		descTH: "น้ำกระเจี๊ยบแดงหวานด้วยน้ำตาลโตนด ไม่ใส่สารกันบูด",
		tags:   []string{"roselle", "drink"}, producer: "pr-kula", producerEN: "Thung Kula Rice Cooperative",
		producerTH: "สหกรณ์ข้าวทุ่งกุลา", category: "beverage", at: ubon, stars: 1, price: 2500,
		certs: []string{"thai_fda"}, certNumbers: []string{"FDA-34-1-00001-1-0001"}},
	{id: "p15", nameEN: "Lemongrass Soap", nameTH: "สบู่ตะไคร้",
		descEN: "Cold process soap with lemongrass oil.",
		descTH: "สบู่ตะไคร้ทำมือแบบเย็น",
		tags:   []string{"soap", "lemongrass"}, producer: "pr-herb", producerEN: "Chumphon Herb Women's Group",
		producerTH: "กลุ่มแม่บ้านสมุนไพรชุมพร", category: "herbal", creative: "thai_traditional_medicine",
		at: chumphon, stars: 3, price: 9000},
	{id: "p16", nameEN: "Khit Cushion Cover", nameTH: "ปลอกหมอนผ้าขิด",
		descEN: "Cotton cushion cover with khit diamond pattern. Mudmee silk trim.",
		descTH: "ปลอกหมอนผ้าฝ้ายลายขิด ขลิบผ้าไหม",
		tags:   []string{"cushion", "cotton"}, producer: "pr-chonnabot", producerEN: "Chonnabot Weavers Group",
		producerTH: "กลุ่มทอผ้าไหมชนบท", category: "textile", creative: "design", at: khonKaen, stars: 2,
		price: 38000},
	{id: "p17", nameEN: "Wild Honey", nameTH: "น้ำผึ้งป่า",
		descEN: "Wild forest honey from the hills, raw and unfiltered.",
		descTH: "น้ำผึ้งป่าธรรมชาติจากดอย ไม่ผ่านการกรอง",
		tags:   []string{"honey"}, producer: "pr-doichang", producerEN: "Doi Chang Farmers",
		producerTH: "เกษตรกรดอยช้าง", category: "food", at: chiangRai, price: 28000},
	{id: "p18", nameEN: "Scented Candles", nameTH: "เทียนหอม",
		descEN: "Soy wax candle set scented with jasmine and pandan.",
		descTH: "ชุดเทียนหอมไขถั่วเหลือง กลิ่นมะลิและใบเตย",
		tags:   []string{"candle", "gift"}, producer: "pr-benja", producerEN: "Bangkok Benjarong Studio",
		producerTH: "สตูดิโอเบญจรงค์กรุงเทพ", category: "household", creative: "design", at: bangkok, stars: 3,
		price: 42000},
}

// Documents returns the suite's catalogue: eighteen published products in
// seven provinces of all four regions, every category, facet value and
// certification combination the tests need, Thai and English text and
// codes. Each call returns a fresh copy.
func Documents() []catalog.SearchDocument {
	out := make([]catalog.SearchDocument, 0, len(specs))
	for i, s := range specs {
		at := base.Add(time.Duration(i) * time.Hour)
		out = append(out, catalog.SearchDocument{
			ID: s.id, NameEN: s.nameEN, NameTH: s.nameTH, DescriptionEN: s.descEN, DescriptionTH: s.descTH,
			Tags: append([]string{}, s.tags...), ProducerID: s.producer, ProducerNameEN: s.producerEN,
			ProducerNameTH: s.producerTH, Category: s.category, CreativeIndustry: s.creative,
			ProvinceCode: s.at.code, ProvinceNameEN: s.at.nameEN, ProvinceNameTH: s.at.nameTH,
			ClusterID: s.at.cluster, Region: s.at.region, SelectCenterID: s.at.center,
			OTOPStars: s.stars, Topotop: s.topotop, PriceMinor: s.price, Currency: "THB",
			Certifications: append([]string{}, s.certs...), CertificateNumbers: append([]string{}, s.certNumbers...),
			HSCode: s.hs, ImageURL: "https://img.example/" + s.id + "/200.webp",
			PublishedAt: at, CreatedAt: at.Add(-24 * time.Hour),
		})
	}
	return out
}
