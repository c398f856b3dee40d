package io.chorus.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The line formats of {@code chorus load}: what each accepts, and why each malformed line is refused. */
class LoadFormatTest {

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void tsvSplitsAtTheFirstTabSoValuesMayHoldTabs() {
        LoadFormat.Record r = LoadFormat.TSV.parse("user:1\tAda\tLovelace");
        assertThat(utf8(r.key())).isEqualTo("user:1");
        assertThat(utf8(r.value())).isEqualTo("Ada\tLovelace");
        assertThat(LoadFormat.TSV.parse("k\t").value()).isEmpty();
        assertThat(utf8(LoadFormat.TSV.parse("clé\tvaleur é").value())).isEqualTo("valeur é");
    }

    @Test
    void tsvRefusesALineWithoutATabOrWithAnEmptyKey() {
        assertThatThrownBy(() -> LoadFormat.TSV.parse("just a key")).isInstanceOf(LoadFormat.Malformed.class)
                .hasMessage("no tab between key and value");
        assertThatThrownBy(() -> LoadFormat.TSV.parse("\tvalue")).hasMessage("empty key");
    }

    @Test
    void jsonlReadsTextOrBase64() {
        LoadFormat.Record text = LoadFormat.JSONL.parse("{\"key\":\"a\\nb\",\"value\":\"x\\ty\"}");
        assertThat(utf8(text.key())).isEqualTo("a\nb");
        assertThat(utf8(text.value())).isEqualTo("x\ty");
        LoadFormat.Record binary = LoadFormat.JSONL.parse("{\"key\":\"AP8=\",\"value\":\"\",\"base64\":true}");
        assertThat(binary.key()).containsExactly(0, 0xff);
        assertThat(binary.value()).isEmpty();
        LoadFormat.Record plain = LoadFormat.JSONL.parse("{\"key\":\"AP8=\",\"value\":\"v\",\"base64\":false}");
        assertThat(utf8(plain.key())).isEqualTo("AP8=");
    }

    @Test
    void jsonlRefusesWhatIsNotARecord() {
        assertThatThrownBy(() -> LoadFormat.JSONL.parse("{\"key\":\"k\"")).hasMessageStartingWith("not JSON");
        assertThatThrownBy(() -> LoadFormat.JSONL.parse("[1,2]")).hasMessage("not a JSON object");
        assertThatThrownBy(() -> LoadFormat.JSONL.parse("{\"key\":\"k\",\"value\":3}"))
                .hasMessageContaining("must be strings");
        assertThatThrownBy(() -> LoadFormat.JSONL.parse("{\"key\":\"k\",\"vaule\":\"v\"}"))
                .hasMessageContaining("must be strings");
        assertThatThrownBy(() -> LoadFormat.JSONL.parse("{\"key\":\"k\",\"value\":\"v\",\"base64\":\"yes\"}"))
                .hasMessageContaining("true or false");
        assertThatThrownBy(() -> LoadFormat.JSONL.parse("{\"key\":\"%%\",\"value\":\"\",\"base64\":true}"))
                .hasMessageStartingWith("\"key\" is not base64");
        assertThatThrownBy(() -> LoadFormat.JSONL.parse("{\"key\":\"\",\"value\":\"v\"}")).hasMessage("empty key");
    }
}
