package catalog

// searchSynonymGroups are common OTOP terms in Thai, English and romanised
// Thai. Every term of a group is a synonym of every other: a search for one
// finds products described with any. Thai terms are specific enough not to
// occur inside unrelated words (ร่ม alone is also "shade", ชา alone starts
// ชาว, "people"), since the embedded engine matches Thai as substrings.
var searchSynonymGroups = [][]string{
	{"ผ้าไหม", "silk", "pha mai"},
	{"ผ้าฝ้าย", "cotton", "pha fai"},
	{"ร่มกระดาษ", "umbrella", "parasol"},
	{"ข้าวหอมมะลิ", "jasmine rice", "khao hom mali"},
	{"น้ำปลา", "fish sauce", "nam pla"},
	{"ยาหม่อง", "herbal balm", "ya mong"},
	{"กาแฟ", "coffee", "kafae"},
	{"เครื่องปั้นดินเผา", "pottery", "ceramics"},
	{"กระจูด", "krajood", "sedge"},
	{"มัดหมี่", "mudmee", "ikat", "mat mi"},
	{"ผ้าคราม", "indigo", "pha khram"},
	{"ผ้าขาวม้า", "pha khao ma", "pakama"},
	{"ผ้าบาติก", "batik"},
	{"ศิลาดล", "celadon"},
	{"เบญจรงค์", "benjarong"},
	{"เครื่องจักสาน", "basketry", "wickerwork"},
	{"ไม้แกะสลัก", "wood carving", "woodcarving"},
	{"น้ำพริก", "chili paste", "nam phrik"},
	{"สมุนไพร", "herb", "samunphrai"},
	{"น้ำผึ้ง", "honey", "nam phueng"},
	{"สบู่", "soap", "sabu"},
	{"ใบชา", "tea"},
	{"ทุเรียน", "durian"},
	{"มะม่วง", "mango"},
	{"ปลาร้า", "pla ra", "fermented fish"},
}

// SearchSynonyms returns the synonym groups both search engines apply, each
// term lowercase, words separated by one space. The result is a copy.
func SearchSynonyms() [][]string {
	out := make([][]string, len(searchSynonymGroups))
	for i, g := range searchSynonymGroups {
		out[i] = append([]string(nil), g...)
	}
	return out
}
