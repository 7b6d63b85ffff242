using TraceExporter.Configuration;

namespace TraceExporter.Tests.Configuration;

public sealed class ProbeKindTests
{
    private static string Probe(string kind) =>
        "probes:\n  - name: p\n" + kind + "    program: 'tracepoint:sched:sched_process_exec { @x = count(); }'\n    metrics: [{ map: \"@x\", name: p_total, help: h }]\n";

    [Fact]
    public void Kind_bpftrace_the_default_may_be_written_out()
    {
        var config = ConfigLoader.Parse(Probe("    kind: bpftrace\n"), "cfg.yaml");

        Assert.Equal("p", Assert.Single(config.Probes).Name);
    }

    [Fact]
    public void Without_a_kind_a_probe_is_bpftrace()
    {
        Assert.Single(ConfigLoader.Parse(Probe(""), "cfg.yaml").Probes);
    }

    [Fact]
    public void Another_kind_is_refused_where_it_is_written()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(Probe("    kind: ebpf\n"), "cfg.yaml"));

        Assert.Equal("cfg.yaml:3:11: kind must be bpftrace (the default) or strace", Assert.Single(e.Errors).ToString());
    }

    [Fact]
    public void A_kind_that_is_not_a_name_is_refused()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(Probe("    kind: [bpftrace]\n"), "cfg.yaml"));

        Assert.Equal("cfg.yaml:3:11: kind must be bpftrace (the default) or strace", Assert.Single(e.Errors).ToString());
    }
}
