using TraceExporter.KernelTests.Infrastructure;
using Xunit;

namespace TraceExporter.KernelTests.InfrastructureChecks;

public sealed class MetricsPageTests
{
    [Fact]
    public void Label_values_are_unescaped_and_matched_exactly()
    {
        var page = MetricsPage.Parse(
            """
            # HELP trace_tcp_connects_total Connects.
            # TYPE trace_tcp_connects_total counter
            trace_tcp_connects_total{comm="a\"b,c\\dé"} 3
            trace_tcp_connects_total{comm="tk\\xffq",extra="1"} 4
            trace_tcp_connects_total{comm="line\nbreak"} 5 1700000000000
            trace_exporter_build_info{version="0.1.0"} 1
            up 1e+06

            """);

        Assert.Equal(3, page.Value("trace_tcp_connects_total", ("comm", "a\"b,c\\dé")));
        Assert.Null(page.Value("trace_tcp_connects_total", ("comm", "tk\\xffq")));
        Assert.Equal(4, page.Value("trace_tcp_connects_total", ("comm", "tk\\xffq"), ("extra", "1")));
        Assert.Equal(5, page.Value("trace_tcp_connects_total", ("comm", "line\nbreak")));
        Assert.Equal(1_000_000, page.Value("up"));
        Assert.Equal(0, page.Counter("trace_tcp_connects_total", ("comm", "absent")));
        Assert.Equal(3, page.Named("trace_tcp_connects_total").Count);
    }

    [Fact]
    public void A_malformed_label_value_is_a_format_error()
    {
        Assert.Throws<FormatException>(() => MetricsPage.Parse("m{a=\"x\\q\"} 1\n"));
        Assert.Throws<FormatException>(() => MetricsPage.Parse("m{a=\"x} 1\n"));
    }
}
