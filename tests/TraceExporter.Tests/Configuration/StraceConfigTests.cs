using TraceExporter.Configuration;
using TraceExporter.Strace;

namespace TraceExporter.Tests.Configuration;

public sealed class StraceConfigTests
{
    [Fact]
    public void A_strace_probe_reads_its_target_and_filters()
    {
        var config = ConfigLoader.Parse("""
            probes:
              - name: fw
                kind: strace
                target: { command: [/bin/sh, -c, "cat /missing"] }
                filter: [trace=openat, status=failed]
              - name: byname
                kind: strace
                target: { process_name: fwupd }
                filter: trace=file
            """, "s.yaml");

        Assert.Empty(config.Probes);
        Assert.Equal(2, config.StraceProbes.Count);
        var fw = config.StraceProbes[0];
        Assert.Equal((StraceTargetKind.Command, "/bin/sh"), (fw.TargetKind, fw.Target));
        Assert.Equal(["-c", "cat /missing"], fw.Arguments);
        Assert.Equal(["trace=openat", "status=failed"], fw.Filters);
        Assert.Equal((StraceTargetKind.Name, "fwupd"), (config.StraceProbes[1].TargetKind, config.StraceProbes[1].Target));
        Assert.Equal(["trace=file"], config.StraceProbes[1].Filters);
    }

    [Theory]
    [InlineData("kind: strace\n    target: { pid: abc }", "s.yaml:2:5: pid target 'abc' is not a positive number")]
    [InlineData("kind: strace\n    target: { pid: 1 }\n    filter: inject=openat:error=ENOENT", "s.yaml:2:5: filter 'inject=openat:error=ENOENT' must be QUALIFIER=VALUE")]
    [InlineData("kind: strace", "s.yaml:2:5: a strace probe needs a target")]
    [InlineData("kind: strace\n    target: { host: x }", "s.yaml:4:15: unknown key 'host'")]
    [InlineData("kind: dtrace\n    target: { pid: 1 }", "s.yaml:3:11: kind must be bpftrace (the default) or strace")]
    public void A_broken_strace_probe_is_refused_with_its_location(string body, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse($"probes:\n  - name: s\n    {body}\n", "s.yaml"));

        Assert.Contains(e.Errors, error => error.ToString().StartsWith(expected, StringComparison.Ordinal));
    }
}
