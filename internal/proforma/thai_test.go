package proforma

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestShapeThaiPicksPrePositionedMarks(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"a tone mark without an upper vowel is lowered", "ผ้า", "ผ\uF70Bา"},
		{"a tone mark over an upper vowel stays high", "หมี่", "หมี่"},
		{"a tone mark before SARA AM stays high", "น้ำ", "น้ำ"},
		{"a lowered tone mark over a tall consonant moves left", "ปู่", "ปู\uF705"},
		{"an upper vowel and tone over a tall consonant move left", "ฟื้น", "ฟ\uF704\uF714น"},
		{"SARA AM after a tall consonant splits with its NIKHAHIT left", "ป่ำ", "ป\uF713\uF711า"},
		{"MAI HAN-AKAT over a tall consonant moves left", "ปั้น", "ป\uF710\uF714น"},
		{"THANTHAKHAT over an upper vowel stays high", "ทรีย์", "ทรีย\uF70E"},
		{"YO YING drops its descender over a lower vowel", "ญุ", "\uF70Fุ"},
		{"THO THAN drops its descender over a lower vowel", "ฐุ", "\uF700ุ"},
		{"a lower vowel under DO CHADA is lowered", "ฎุ", "ฎ\uF718"},
		{"YO YING keeps its descender otherwise", "บุญมี", "บุญมี"},
		{"Latin text is untouched", "Silk scarf 12,345.67", "Silk scarf 12,345.67"},
		{"a mark without its consonant is untouched", "\u0E48ก", "\u0E48ก"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := shapeThai(tc.in); got != tc.want {
				t.Errorf("shapeThai(%q) = %+q, want %+q", tc.in, got, tc.want)
			}
		})
	}
}

// runeWidth measures text as one unit per character, none for the marks
// that sit on another.
func runeWidth(s string) float64 {
	n := 0
	for _, r := range s {
		if !joinsPrevious(r) || r == 'ะ' || r == 'า' || r == saraAm {
			n++
		}
	}
	return float64(n)
}

func TestWrapText(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    string
		width float64
		want  []string
	}{
		{"words fill lines", "Natural indigo dyed silk scarf", 14, []string{"Natural indigo", "dyed silk", "scarf"}},
		{"a word with a hyphen after other words moves whole", "shipment 2026-03-30", 14, []string{"shipment", "2026-03-30"}},
		{"a Thai phrase after other words fills the line at a syllable", "ส่ง ผ้าไหมมัดหมี่", 8, []string{"ส่ง ผ้า", "ไหมมัดหมี่"}},
		{"a newline starts a line", "one\ntwo three", 20, []string{"one", "two three"}},
		{"an empty paragraph stays", "one\n\ntwo", 20, []string{"one", "", "two"}},
		{"Thai breaks before a leading vowel", "ผ้าไหมมัดหมี่ย้อม", 5, []string{"ผ้า", "ไหมมัด", "หมี่ย้อม"}},
		{"a syllable break leaving the line nearly empty gives way", "ผ้าไหมมัดหมี่ย้อม", 8, []string{"ผ้าไหมมัดห", "มี่ย้อม"}},
		{"Thai breaks after SARA A", "มะลิอินทรีย์", 3, []string{"มะ", "ลิอิน", "ทรีย์"}},
		{"a zero-width space is a break and is not drawn", "ข้าวหอม\u200Bมะลิ", 7, []string{"ข้าวหอม", "มะลิ"}},
		{"a long code breaks after a hyphen, then between characters", "DL-0000000001", 5, []string{"DL-", "00000", "00001"}},
		{"a long number breaks after a comma", "92,233,720,368,547,758.07", 16, []string{"92,233,720,368,", "547,758.07"}},
		{"a cluster wider than the line stays whole", "ก้", 0.5, []string{"ก้"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := wrapText(tc.in, tc.width, runeWidth)
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("wrapText(%q, %v) = %q, want %q", tc.in, tc.width, got, tc.want)
			}
		})
	}
}

func TestWrapTextKeepsThaiClustersWhole(t *testing.T) {
	names := strings.Join([]string{"ผ้าไหมมัดหมี่ย้อมครามธรรมชาติ", "น้ำพริกเผาแม่บุญมี", "ข้าวหอมมะลิอินทรีย์",
		"เครื่องจักสานไม้ไผ่", "วิสาหกิจชุมชนกลุ่มทอผ้าบ้านดอนหลี่"}, "")
	for width := 1.0; width <= 12; width++ {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			lines := wrapText(names, width, runeWidth)
			if strings.Join(lines, "") != names {
				t.Fatalf("the lines %q do not add up to the text", lines)
			}
			for _, l := range lines {
				first, _ := utf8.DecodeRuneInString(l)
				last, _ := utf8.DecodeLastRuneInString(l)
				if joinsPrevious(first) || isLeadingVowel(last) {
					t.Errorf("line %q splits a cluster", l)
				}
				if runeWidth(l) > width {
					if head, _ := firstCluster(l); head != l {
						t.Errorf("line %q is wider than %v", l, width)
					}
				}
			}
		})
	}
}

func TestCleanLine(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		max      int
		want     string
	}{
		{"NUL and controls go", "Silk\x00 scarf\x07\x1b", 50, "Silk scarf"},
		{"white space runs become one space", " Silk\t\n scarf  ", 50, "Silk scarf"},
		{"bidi controls go", "ab\u202Ecd", 50, "abcd"},
		{"invalid UTF-8 becomes U+FFFD", "a\xffb", 50, "a\uFFFDb"},
		{"a zero-width space stays", "ผ้า\u200Bไหม", 50, "ผ้า\u200Bไหม"},
		{"long text is cut with an ellipsis", "abcdefgh", 5, "abcd…"},
		{"the cut does not split a cluster", "ผ้าไหม", 4, "ผ้า…"},
		{"a cut that leaves no whole cluster leaves the ellipsis", "ผ้าไหม", 3, "…"},
		{"the cut does not leave a leading vowel", "กไหม", 3, "ก…"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := cleanLine(tc.in, tc.max); got != tc.want {
				t.Errorf("cleanLine(%q, %d) = %+q, want %+q", tc.in, tc.max, got, tc.want)
			}
		})
	}
}

func TestCleanTextKeepsParagraphs(t *testing.T) {
	got := cleanText("  first\x00 line \r\n\r\nsecond\tline\n", 100)
	if want := "first line\n\nsecond line"; got != want {
		t.Errorf("cleanText = %q, want %q", got, want)
	}
}
