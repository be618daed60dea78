package lint

import "unicode/utf8"

// Value checks for DATE, NUMBER and timestamp fields. They run on every
// field of every row, so they are written out by hand: the messages come
// from pkg/ibmsg's parsers' rules (ParseDate, ParseTimestamp), which the
// tests hold these to.

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func digits(b []byte) bool {
	for _, c := range b {
		if !isDigit(c) {
			return false
		}
	}
	return len(b) > 0
}

func num2(b []byte) int { return int(b[0]-'0')*10 + int(b[1]-'0') }

// looksLikeTimestamp reports whether v starts like CCYY-MM-DDTHH:MM:SS.
func looksLikeTimestamp(v []byte) bool {
	return len(v) >= 19 && v[4] == '-' && v[7] == '-' && (v[10] == 'T' || v[10] == 't') && v[13] == ':' && v[16] == ':' &&
		digits(v[0:4]) && digits(v[5:7]) && digits(v[8:10]) && digits(v[11:13]) && digits(v[14:16]) && digits(v[17:19])
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// checkDate returns "" for a calendar date CCYY-MM-DD, else what is wrong.
func checkDate(v []byte) string {
	if len(v) != 10 || v[4] != '-' || v[7] != '-' || !digits(v[0:4]) || !digits(v[5:7]) || !digits(v[8:10]) {
		return "which is not CCYY-MM-DD"
	}
	year := int(v[0]-'0')*1000 + int(v[1]-'0')*100 + num2(v[2:4])
	month, day := num2(v[5:7]), num2(v[8:10])
	if month < 1 || month > 12 || day < 1 || day > daysIn(year, month) {
		return "which is not a calendar date"
	}
	return ""
}

// checkTimestamp returns "" for a PeopleSoft timestamp
// CCYY-MM-DDTHH:MM:SS[.fraction]±hhmm, else what is wrong and how to fix it.
func checkTimestamp(v []byte) string {
	const want = "write CCYY-MM-DDTHH:MM:SS.ssssss±hhmm, e.g. 2024-03-01T09:30:00.000000-0800"
	if !looksLikeTimestamp(v) {
		return "not a PeopleSoft timestamp: " + want
	}
	if v[10] != 'T' || checkDate(v[:10]) != "" || num2(v[11:13]) > 23 || num2(v[14:16]) > 59 || num2(v[17:19]) > 59 {
		return "not a real date and time: " + want
	}
	rest := v[19:]
	if len(rest) > 0 && rest[0] == '.' {
		i := 1
		for i < len(rest) && isDigit(rest[i]) {
			i++
		}
		if i == 1 || i > 10 {
			return "the fraction of a second has 1 to 9 digits: " + want
		}
		rest = rest[i:]
	}
	switch {
	case len(rest) == 0:
		return "it has no GMT offset, which PeopleSoft requires: append ±hhmm, e.g. " + string(v) + "-0800"
	case len(rest) == 1 && (rest[0] == 'Z' || rest[0] == 'z'):
		return "PeopleSoft writes the offset as ±hhmm, not Z: write " + string(v[:len(v)-1]) + "+0000"
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':' && digits(rest[1:3]) && digits(rest[4:6]):
		return "PeopleSoft writes the offset as ±hhmm, without a colon: write " + string(v[:len(v)-3]) + string(rest[4:6])
	case len(rest) == 5 && (rest[0] == '+' || rest[0] == '-') && digits(rest[1:5]):
		if num2(rest[1:3]) > 14 || num2(rest[3:5]) > 59 {
			return "the offset " + string(rest) + " is not a GMT offset: " + want
		}
		return ""
	}
	return "not a PeopleSoft timestamp: " + want
}

// isNumber reports whether v is a plain decimal number: [+-]digits[.digits]
// or [+-].digits.
func isNumber(v []byte) bool {
	if len(v) > 0 && (v[0] == '+' || v[0] == '-') {
		v = v[1:]
	}
	seen, dot := false, false
	for _, c := range v {
		switch {
		case isDigit(c):
			seen = true
		case c == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return seen
}

// appendUnescaped appends raw character data with its references expanded
// (the scanner has checked them).
func appendUnescaped(dst, raw []byte) []byte {
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '&' {
			dst = append(dst, c)
			i++
			continue
		}
		j := i + 1
		for j < len(raw) && raw[j] != ';' {
			j++
		}
		if j >= len(raw) {
			dst = append(dst, raw[i:]...)
			break
		}
		ref := raw[i+1 : j]
		i = j + 1
		switch string(ref) {
		case "lt":
			dst = append(dst, '<')
		case "gt":
			dst = append(dst, '>')
		case "amp":
			dst = append(dst, '&')
		case "apos":
			dst = append(dst, '\'')
		case "quot":
			dst = append(dst, '"')
		default:
			if len(ref) > 1 && ref[0] == '#' {
				var r rune
				if ref[1] == 'x' {
					for _, d := range ref[2:] {
						switch {
						case d >= '0' && d <= '9':
							r = r*16 + rune(d-'0')
						case d >= 'a' && d <= 'f':
							r = r*16 + rune(d-'a') + 10
						case d >= 'A' && d <= 'F':
							r = r*16 + rune(d-'A') + 10
						}
						if r > 0x10FFFF {
							break
						}
					}
				} else {
					for _, d := range ref[1:] {
						r = r*10 + rune(d-'0')
						if r > 0x10FFFF {
							break
						}
					}
				}
				dst = appendRune(dst, r)
			}
		}
	}
	return dst
}

func appendRune(dst []byte, r rune) []byte { return utf8.AppendRune(dst, r) }
