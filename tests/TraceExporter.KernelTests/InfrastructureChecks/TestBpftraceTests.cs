using TraceExporter.KernelTests.Infrastructure;
using Xunit;

namespace TraceExporter.KernelTests.InfrastructureChecks;

public sealed class TestBpftraceTests
{
    private static readonly string PathLine = $"  path: '{TestBpftrace.Path}'\n";

    [Fact]
    public void A_config_without_a_bpftrace_section_gets_one_at_its_end_so_its_own_lines_keep_their_numbers()
    {
        const string config = "interval: 1s\nbuiltin:\n  tcp_connects: true\n";

        Assert.Equal(config + "bpftrace:\n" + PathLine, TestBpftrace.Configure(config));
        Assert.Equal("interval: 1s\nbpftrace:\n" + PathLine, TestBpftrace.Configure("interval: 1s"));
    }

    [Fact]
    public void A_bpftrace_section_gets_the_path_as_its_first_key()
    {
        const string config = "interval: 1s\nbpftrace:\n  restart_delay: 100ms\nbuiltin:\n  tcp_connects: true\n";

        Assert.Equal(
            "interval: 1s\nbpftrace:\n" + PathLine + "  restart_delay: 100ms\nbuiltin:\n  tcp_connects: true\n",
            TestBpftrace.Configure(config));
    }

    [Fact]
    public void A_config_that_names_its_own_bpftrace_keeps_it()
    {
        const string config = "interval: 1s\nbpftrace:\n  restart_delay: 1s\n  path: /nonexistent/bpftrace\nbuiltin: {}\n";

        Assert.Equal(config, TestBpftrace.Configure(config));
    }

    [Fact]
    public void A_path_key_of_another_section_does_not_count_as_the_bpftrace_path()
    {
        const string config = "bpftrace:\n  buffer_pages: 4\nprobes:\n  - name: x\n    path: y\n";

        Assert.StartsWith("bpftrace:\n" + PathLine + "  buffer_pages: 4\n", TestBpftrace.Configure(config), StringComparison.Ordinal);
    }
}
