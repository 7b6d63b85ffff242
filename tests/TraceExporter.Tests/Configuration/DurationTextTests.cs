using TraceExporter.Configuration;

namespace TraceExporter.Tests.Configuration;

public sealed class DurationTextTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("250us", 2_500L)]
    [InlineData("500ms", 5_000_000L)]
    [InlineData("1.5s", 15_000_000L)]
    [InlineData("5s", 50_000_000L)]
    [InlineData(" 1m ", 600_000_000L)]
    [InlineData("1h", 36_000_000_000L)]
    public void A_number_and_a_unit_read_as_that_long(string text, long ticks)
    {
        Assert.True(DurationText.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromTicks(ticks), value);
    }

    [Theory]
    [InlineData("999999999h")]
    [InlineData("99999999999999999999m")]
    [InlineData("9999999999999999999999999999999999999999s")]
    public void An_amount_too_large_for_a_TimeSpan_never_overflows(string text)
    {
        if (DurationText.TryParse(text, out var value))
        {
            Assert.Equal(TimeSpan.MaxValue, value);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("5 seconds")]
    [InlineData("-1s")]
    [InlineData("1e3s")]
    [InlineData("1d")]
    [InlineData("s")]
    public void Anything_else_is_not_a_duration(string text)
    {
        Assert.False(DurationText.TryParse(text, out _));
    }

    [Theory]
    [InlineData("interval: 999999999h", "x.yaml:1:11: interval must be between 100ms and 1h, not 999999999h")]
    [InlineData("bpftrace:\n  restart_delay: 99999999999999999999999h", "x.yaml:2:18: bpftrace.restart_delay must be between 100ms and 10m")]
    [InlineData("probes:\n  - name: p\n    program: 'BEGIN { @x = count(); }'\n    interval: 999999999h\n    metrics: [{ map: \"@x\", name: p_total, help: h }]", "x.yaml:4:15: interval must be between 100ms and 1h")]
    public void A_huge_duration_in_the_config_is_a_located_error(string yaml, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "x.yaml"));

        Assert.StartsWith(expected, Assert.Single(e.Errors).ToString(), StringComparison.Ordinal);
    }
}
