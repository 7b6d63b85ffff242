using System.Text;
using TraceExporter.Configuration;
using TraceExporter.Metrics;
using TraceExporter.Parsing;

namespace TraceExporter.Tests.Parsing;

public sealed class BpftraceJsonParserTests
{
    public static TheoryData<string> Versions => new(Fixture.Versions);

    [Theory]
    [MemberData(nameof(Versions))]
    public void Numeric_tuple_keys_read_the_same_in_every_version(string version)
    {
        var sink = Fixture.Parse(version, "numeric_tuple_keys");

        Assert.Empty(sink.Errors);
        Assert.Contains("attached 3", sink.Events);
        Assert.Contains("@c[7955997335096354164,0] = 3", sink.Events);
        Assert.Contains("@c[8744996708718634356,14410412695190048] = 5", sink.Events);
    }

    [Fact]
    public void Comm_read_as_two_integers_decodes_to_the_exact_name_bytes()
    {
        var decoder = new KeyDecoder([new LabelConfig("comm", LabelKind.PackedName)], null, stringsEscapedTwice: false);
        Assert.True(decoder.TryDecode("8744996708718634356,14410412695190048"u8, out var values));

        Assert.Equal(["te\"q,x\\y zé123"], values);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Scalar_and_keyed_counts_are_values(string version)
    {
        var sink = Fixture.Parse(version, "scalar_and_keyed_count");

        Assert.Empty(sink.Errors);
        Assert.Contains("@n[] = 0", sink.Events);
        Assert.Contains(sink.Events, e => e.StartsWith("@k[10] = ", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Sums_keyed_by_pid_add_up_to_the_bytes_sent(string version)
    {
        var sink = Fixture.Parse(version, "sum_keyed");

        Assert.Empty(sink.Errors);
        Assert.Contains(sink.Events, e => e.StartsWith("@r[", StringComparison.Ordinal) && e.EndsWith("] = 100000", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Hist_and_lhist_buckets_keep_their_bounds_and_counts(string version)
    {
        var sink = Fixture.Parse(version, "hist_lhist");

        Assert.Empty(sink.Errors);
        var hist = sink.Events.First(e => e.StartsWith("@h[] hist", StringComparison.Ordinal));
        Assert.StartsWith("@h[] hist -inf..-1:1 0..0:1 1..1:0 2..3:1 4..7:0", hist, StringComparison.Ordinal);
        Assert.Contains("512..1023:1", hist, StringComparison.Ordinal);
        var lhist = sink.Events.First(e => e.StartsWith("@l[] hist", StringComparison.Ordinal));
        Assert.StartsWith("@l[] hist -inf..-1:1 0..9:1 10..19:0", lhist, StringComparison.Ordinal);
        Assert.EndsWith("100..+inf:1", lhist, StringComparison.Ordinal);
        Assert.Contains("@kh[1] hist 8..15:1", sink.Events);
        Assert.Contains("@kh[2] hist 16..31:1", sink.Events);
    }

    [Theory]
    [InlineData("0.17.0")]
    [InlineData("0.23.2")]
    public void Counts_after_a_high_byte_stay_decimal_up_to_0_23(string version)
    {
        var sink = Fixture.Parse(version, "hist_after_high_byte");

        Assert.Empty(sink.Errors);
        Assert.Contains(sink.Events, e => e.StartsWith("@h[] hist 2..3:26", StringComparison.Ordinal));
    }

    [Fact]
    public void Hex_counts_of_0_27_after_a_high_byte_are_counted_as_malformed_and_do_not_stop_the_reader()
    {
        var sink = Fixture.Parse("0.27.1", "hist_after_high_byte");

        Assert.Contains(ParseError.InvalidJson, sink.Errors);
        Assert.DoesNotContain(sink.Events, e => e.StartsWith("@h[]", StringComparison.Ordinal));
        Assert.Contains("@u[café] = 1", sink.Events); // the line after the broken one is still read
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void High_bytes_escaped_as_uffffffXX_come_back_as_the_original_bytes(string version)
    {
        var sink = Fixture.Parse(version, "hist_after_high_byte");

        Assert.Contains("printf café\n", sink.Events);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Stats_avg_min_and_max_are_read(string version)
    {
        var sink = Fixture.Parse(version, "stats_avg_minmax");

        Assert.Empty(sink.Errors);
        Assert.Contains("@s[] stats count=2 avg=6 total=12", sink.Events);
        Assert.Contains("@a[] stats count=? avg=7 total=?", sink.Events);
        Assert.Contains("@ka[1] stats count=? avg=3 total=?", sink.Events);
        Assert.Contains("@mn[] = -2", sink.Events);
        Assert.Contains("@mx[] = 9", sink.Events);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Integers_beyond_2_pow_63_as_numbers_or_strings_clamp_and_keys_keep_their_bits(string version)
    {
        var sink = Fixture.Parse(version, "big_ints");

        Assert.Empty(sink.Errors);
        Assert.Contains($"@big[] = {long.MaxValue}", sink.Events);
        Assert.Contains("@neg[] = -5", sink.Events);
        var kbig = sink.Events.Single(e => e.StartsWith("@kbig[", StringComparison.Ordinal));
        var keyText = kbig["@kbig[".Length..kbig.IndexOf(']', StringComparison.Ordinal)];
        Assert.True(KeyPart.TryParse(Encoding.ASCII.GetBytes(keyText), out var key));
        Assert.Equal(ulong.MaxValue, key);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Printf_text_is_unescaped_with_its_newline(string version)
    {
        var sink = Fixture.Parse(version, "printf_lines");

        Assert.Empty(sink.Errors);
        Assert.Contains("printf hello \"w\" 1\n", sink.Events);
        Assert.Contains("printf line two,42\n", sink.Events);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Lost_events_are_counted_in_both_record_shapes(string version)
    {
        var sink = new RecordingSink();
        var parser = new BpftraceJsonParser();
        var expected = 0L;
        foreach (var line in File.ReadAllLines(Fixture.PathOf(version, "lost_events.lost-only.jsonl")))
        {
            var events = System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("data").GetProperty("events").GetInt64();
            expected += events;
            parser.Parse(Encoding.UTF8.GetBytes(line), sink);
        }

        Assert.True(expected > 0);
        Assert.Equal(expected, sink.LostEvents);
        Assert.Empty(sink.Errors);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Drop_reasons_cast_to_integers_are_numbers_in_every_version(string version)
    {
        var sink = Fixture.Parse(version, "kfree_skb_reason");

        Assert.Contains("@d[3] = 3", sink.Events);
    }

    [Fact]
    public void String_keys_of_0_17_are_exact()
    {
        var sink = Fixture.Parse("0.17.0", "string_keys");

        Assert.Contains("@s[a b] = 1", sink.Events);
        Assert.Contains("@s[we,ird \"q\" \\ b] = 2", sink.Events);
        Assert.Contains("@u[café] = 4", sink.Events);
        Assert.Contains("@v[tab\there] = 5", sink.Events);
    }

    [Fact]
    public void Blank_lines_are_ignored_and_other_text_is_counted()
    {
        var sink = Fixture.ParseText("\n\r\n   \nAttaching 1 probe...\n{\"type\": \"map\", \"data\": {\"@x\": 1}}\n");

        Assert.Equal([ParseError.UnexpectedShape], sink.Errors);
        Assert.Equal(["@x[] = 1"], sink.Events);
    }

    [Theory]
    [InlineData("{\"type\": \"map\", \"data\": {\"@x\": {\"1\": 5")]
    [InlineData("{\"type\": \"map\", \"data\": {\"@x\": {\"1\": 0x7fff}}}")]
    [InlineData("{\"type\": \"hist\", \"data\": {\"@h\": [{\"min\": 2, \"max\": 3, \"count\": 1a}]}}")]
    [InlineData("{\"type\": ")]
    [InlineData("{}")]
    [InlineData("{\"type\": \"something_new\", \"data\": 1}")]
    [InlineData("{\"type\": \"map\"}")]
    [InlineData("{\"type\": \"map\", \"data\": [1, 2]}")]
    public void Malformed_records_are_reported_not_thrown(string line)
    {
        var sink = Fixture.ParseText(line);

        Assert.NotEmpty(sink.Errors);
    }

    [Fact]
    public void Helper_errors_of_every_shape_are_reported_with_the_helper_and_the_program_line()
    {
        var sink = Fixture.ParseText(string.Join('\n',
            "{\"type\": \"helper_error\", \"helper\": \"map_update_elem\", \"retcode\": -7, \"line\": 1, \"col\": 27}",
            "{\"type\": \"helper_error\", \"msg\": \"Map full; can't update element.\", \"helper\": \"map_update_elem\", \"retcode\": -7, \"filename\": \"stdin\", \"line\": 1, \"col\": 27}",
            "{\"type\": \"helper_error\", \"msg\": \"Argument list too long\", \"helper\": \"map_update_elem\", \"retcode\": -7, \"filename\": \"/tmp/full.bt\", \"line\": 3, \"col\": 13}",
            "{\"type\": \"runtime_error\", \"msg\": \"Divide by zero\", \"filename\": \"stdin\", \"line\": 1, \"col\": 9}"));

        Assert.Empty(sink.Errors);
        Assert.Equal(
            [
                "error helper_error map_update_elem line 1: ",
                "error helper_error map_update_elem line 1: Map full; can't update element.",
                "error helper_error map_update_elem line 3: Argument list too long",
                "error runtime_error line 1: Divide by zero",
            ],
            sink.Events);
    }

    [Fact]
    public void A_snapshot_of_ten_thousand_keys_allocates_nothing_per_key_once_warm()
    {
        var line = new StringBuilder("{\"type\": \"map\", \"data\": {\"@m\": {");
        for (var i = 0; i < 10_000; i++)
        {
            line.Append(i == 0 ? "" : ", ").Append('"').Append(i * 7919L).Append(',').Append(i).Append("\": ").Append(i);
        }

        var bytes = Encoding.ASCII.GetBytes(line.Append("}}}").ToString());
        var parser = new BpftraceJsonParser();
        var sink = new CountingSink();
        parser.Parse(bytes.ToArray(), sink); // warm up: scratch buffers grow once

        var before = GC.GetAllocatedBytesForCurrentThread();
        parser.Parse(bytes.ToArray().AsSpan(), sink);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before - bytes.Length - 64; // the copy made above

        Assert.Equal(20_000, sink.Entries);
        Assert.True(allocated < 1024, $"parsing 10,000 entries allocated {allocated} bytes");
    }

    private sealed class CountingSink : IRecordSink
    {
        public int Entries { get; private set; }

        public void OnAttachedProbes(long count) { }

        public void OnPrintf(ReadOnlySpan<byte> text) { }

        public void OnLostEvents(long count) { }

        public void OnMapStart(ReadOnlySpan<byte> mapName) { }

        public void OnValue(ReadOnlySpan<byte> key, long value)
        {
            if (!key.IsEmpty)
            {
                Entries++;
            }
        }

        public void OnHistogram(ReadOnlySpan<byte> key, ReadOnlySpan<HistogramBucket> buckets) { }

        public void OnStats(ReadOnlySpan<byte> key, long? count, long average, long? total) { }

        public void OnMapEnd() { }

        public void OnRuntimeError(ReadOnlySpan<byte> type, ReadOnlySpan<byte> helper, int line, ReadOnlySpan<byte> message) { }

        public void OnMalformed(ParseError kind) => throw new InvalidOperationException(kind.ToString());
    }
}
