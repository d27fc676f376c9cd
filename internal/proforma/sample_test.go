package proforma

import (
	"fmt"
	"time"
)

// Names with stacked and shifted marks: tone over an upper vowel (มี่),
// tone with SARA AM (น้ำ), marks over tall consonants (ป, ฟ), lower vowels
// under ญ and ฎ.
func sampleProducts() [][2]string {
	return [][2]string{
		{"Natural indigo-dyed mudmee silk, hand-woven", "ผ้าไหมมัดหมี่ย้อมครามธรรมชาติ"},
		{"Mae Boonmee roasted chilli paste", "น้ำพริกเผาแม่บุญมี"},
		{"Organic Hom Mali jasmine rice", "ข้าวหอมมะลิอินทรีย์"},
		{"Bamboo basketry", "เครื่องจักสานไม้ไผ่"},
		{"Grandfather's herbal balm", "ยาหม่องสมุนไพรสูตรปู่ฟื้นฟู"},
		{"Thai cotton scarf, indigo", "ผ้าพันคอฝ้ายย้อมคราม ฎีกา ญุ"},
		{"Hand-woven natural indigo mudmee silk sarong in the old Don Li pattern, made by the weaving group of Ban Don Li, Khon Kaen, one piece at a time",
			"ผ้าซิ่นไหมมัดหมี่ย้อมครามธรรมชาติทอมือลายโบราณของกลุ่มแม่บ้านบ้านดอนหลี่จังหวัดขอนแก่นทอทีละผืน"},
	}
}

// sampleInvoice is an order of n lines in currency, the same every time.
func sampleInvoice(n int, currency string) Invoice {
	issued := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	inv := Invoice{
		Number:     "0b7e4c1e-5a7d-4f7e-9a51-3c2d1e0f9a88",
		GroupID:    "6f1d2c3b-4a59-4e6f-8d7c-1b2a39485766",
		IssuedAt:   issued,
		ValidUntil: issued.AddDate(0, 0, 30),
		Status:     "confirmed",
		Seller: Seller{
			NameEN: "Ban Don Li Weaving Community Enterprise", NameTH: "วิสาหกิจชุมชนกลุ่มทอผ้าบ้านดอนหลี่",
			Tambon: "Don Li", Amphoe: "Mueang Khon Kaen", ProvinceEN: "Khon Kaen", ProvinceTH: "ขอนแก่น",
			Phone: "+66 43 123 456", Email: "weaving@donli.example",
		},
		Buyer:                  Buyer{Name: "Sakura Trading Co., Ltd.", Email: "import@sakura.example", CountryCode: "JP", CountryName: "Japan"},
		DestinationCountry:     "JP",
		DestinationCountryName: "Japan",
		Incoterm:               "FOB",
		NamedPlace:             "Laem Chabang",
		Currency:               currency,
		EstimatedShipOn:        issued.AddDate(0, 0, 21),
		Note:                   "Please pack each scarf in its own paper sleeve.\nLabels in English and Japanese.",
		PaymentTerms:           "30% T/T with the order, 70% against a copy of the bill of lading",
	}
	for i := range n {
		p := sampleProducts()[i%len(sampleProducts())]
		qty := int64(10 + 7*i)
		price := int64(45000 + 1250*i)
		line := Line{
			NameEN: p[0], NameTH: p[1], SKU: fmt.Sprintf("DL-%03d", i+1),
			Quantity: qty, Unit: "piece", UnitPriceMinor: price, LineTotalMinor: qty * price,
			FromStock: i%3 != 2,
		}
		if !line.FromStock {
			line.EstimatedShipOn = issued.AddDate(0, 0, 28)
		}
		inv.Lines = append(inv.Lines, line)
		inv.TotalMinor += line.LineTotalMinor
	}
	return inv
}
