// Package linttest writes rowset-based messages for lint's tests and
// benchmarks: a valid FULLSYNC message of any size, generated as a stream so
// that a 100 MB file never has to be committed or held in memory.
package linttest

import (
	"bufio"
	"fmt"
	"io"
)

// FullSyncName is the message (root element) name WriteFullSync uses.
const FullSyncName = "PSIB_CONSTITUENT_FULLSYNC"

// fullSyncFieldTypes declares the records WriteFullSync's transactions use:
// the shape of shared/docs/samples/12 (SCC_CONSTITUENT_FULLSYNC) cut down,
// plus the PSCAMA every rowset message declares.
const fullSyncFieldTypes = `  <FieldTypes>
    <SCC_CM_PERSON_I class="R">
      <EMPLID type="CHAR"/>
      <SCC_UID type="CHAR"/>
      <BIRTHDATE type="DATE"/>
      <BIRTHPLACE type="CHAR"/>
      <BIRTHCOUNTRY type="CHAR"/>
      <DT_OF_DEATH type="DATE"/>
      <LASTUPDDTTM type="CHAR"/>
    </SCC_CM_PERSON_I>
    <SCC_PER_ADDR_I class="R">
      <EMPLID type="CHAR"/>
      <ADDRESS_TYPE type="CHAR"/>
      <EFFDT type="DATE"/>
      <EFF_STATUS type="CHAR"/>
      <COUNTRY type="CHAR"/>
      <ADDRESS1 type="CHAR"/>
      <CITY type="CHAR"/>
      <STATE type="CHAR"/>
      <POSTAL type="CHAR"/>
    </SCC_PER_ADDR_I>
    <SCC_PER_NAME_I2 class="R">
      <EMPLID type="CHAR"/>
      <NAME_TYPE type="CHAR"/>
      <EFFDT type="DATE"/>
      <EFF_STATUS type="CHAR"/>
      <FIRST_NAME type="CHAR"/>
      <LAST_NAME type="CHAR"/>
      <NAME_SEQ type="NUMBER"/>
    </SCC_PER_NAME_I2>
    <PSCAMA class="R">
      <LANGUAGE_CD type="CHAR"/>
      <AUDIT_ACTN type="CHAR"/>
      <BASE_LANGUAGE_CD type="CHAR"/>
      <MSG_SEQ_FLG type="CHAR"/>
      <PROCESS_INSTANCE type="NUMBER"/>
      <PUBLISH_RULE_ID type="CHAR"/>
      <MSGNODENAME type="CHAR"/>
    </PSCAMA>
  </FieldTypes>
`

// WriteFullSync writes a valid FULLSYNC rowset message of at least size
// bytes (one Transaction more than needed to reach it) and returns the number
// of bytes written. Every Transaction holds a level-0 person row with two
// child rows (an address and a name, each followed by its PSCAMA) and the
// full level-0 PSCAMA; values cover every declared type and a timestamp
// with its offset. The output is deterministic.
func WriteFullSync(w io.Writer, size int64) (int64, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	cw := &countingWriter{w: bw}
	fmt.Fprintf(cw, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<%s>\n%s  <MsgData>\n", FullSyncName, fullSyncFieldTypes)
	closing := fmt.Sprintf("  </MsgData>\n</%s>\n", FullSyncName)
	for i := 0; cw.n+int64(len(closing)) < size || i == 0; i++ {
		writeTransaction(cw, i)
		if cw.err != nil {
			return cw.n, cw.err
		}
	}
	io.WriteString(cw, closing)
	if cw.err != nil {
		return cw.n, cw.err
	}
	return cw.n, bw.Flush()
}

var cities = [...]string{"Minneapolis", "Saint Paul", "Duluth", "Rochester", "Zürich", "Montréal", "São Paulo", "Kraków"}

func writeTransaction(w io.Writer, i int) {
	emplid := fmt.Sprintf("%08d", 100000+i)
	month, day := i%12+1, i%28+1
	year := 1950 + i%50
	fmt.Fprintf(w, `    <Transaction>
      <SCC_CM_PERSON_I class="R">
        <EMPLID>%s</EMPLID>
        <SCC_UID IsChanged="Y">U%d</SCC_UID>
        <BIRTHDATE>%04d-%02d-%02d</BIRTHDATE>
        <BIRTHPLACE>%s</BIRTHPLACE>
        <BIRTHCOUNTRY>USA</BIRTHCOUNTRY>
        <DT_OF_DEATH/>
        <LASTUPDDTTM>2024-%02d-%02dT%02d:%02d:%02d.000000-0600</LASTUPDDTTM>
        <SCC_PER_ADDR_I class="R">
          <EMPLID>%s</EMPLID>
          <ADDRESS_TYPE>HOME</ADDRESS_TYPE>
          <EFFDT>2020-%02d-%02d</EFFDT>
          <EFF_STATUS>A</EFF_STATUS>
          <COUNTRY>USA</COUNTRY>
          <ADDRESS1>%d University Ave SE &amp; Oak St</ADDRESS1>
          <CITY>%s</CITY>
          <STATE>MN</STATE>
          <POSTAL>%05d</POSTAL>
        </SCC_PER_ADDR_I>
        <PSCAMA class="R">
          <AUDIT_ACTN>A</AUDIT_ACTN>
        </PSCAMA>
        <SCC_PER_NAME_I2 class="R">
          <EMPLID>%s</EMPLID>
          <NAME_TYPE>PRI</NAME_TYPE>
          <EFFDT>1990-01-01</EFFDT>
          <EFF_STATUS>A</EFF_STATUS>
          <FIRST_NAME>Pat</FIRST_NAME>
          <LAST_NAME>Example%d</LAST_NAME>
          <NAME_SEQ>%d.5</NAME_SEQ>
        </SCC_PER_NAME_I2>
        <PSCAMA class="R">
          <AUDIT_ACTN/>
        </PSCAMA>
      </SCC_CM_PERSON_I>
      <PSCAMA class="R">
        <LANGUAGE_CD>ENG</LANGUAGE_CD>
        <AUDIT_ACTN>A</AUDIT_ACTN>
        <BASE_LANGUAGE_CD>ENG</BASE_LANGUAGE_CD>
        <MSG_SEQ_FLG/>
        <PROCESS_INSTANCE>%d</PROCESS_INSTANCE>
        <PUBLISH_RULE_ID>FULLSYNC</PUBLISH_RULE_ID>
        <MSGNODENAME>PSFT_CS</MSGNODENAME>
      </PSCAMA>
    </Transaction>
`, emplid, i, year, month, day, cities[i%len(cities)], month, day, i%24, i%60, (i/60)%60,
		emplid, month, day, 100+i%900, cities[(i/3)%len(cities)], 55000+i%1000,
		emplid, i, i%10, 4000+i/1000)
}

type countingWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countingWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.err = err
	return n, err
}
