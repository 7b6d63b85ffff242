using TraceExporter.KernelTests.Infrastructure;
using TraceExporter.KernelTests.UserProbes;
using Xunit;

namespace TraceExporter.KernelTests.Lifecycle;

/// <summary>
/// Which kind of attach point the built-ins use, as <c>check</c> says it: typed raw tracepoints on bpftrace
/// 0.24 and newer (also on this kernel without modules, where bpftrace needs the daemon's BTF anchor to find
/// them), classic tracepoints on older ones or when <c>bpftrace.attach: tracepoint</c> says so. The counts they
/// give are checked by the ground-truth tests, which run on both kinds in CI (bpftrace 0.17 and sid's).
/// </summary>
public sealed class AttachTypeTests
{
    /// <summary>What the built-ins attach as with the tests' bpftrace and the default configuration.</summary>
    internal static string ExpectedBuiltinAttachType => TestBpftrace.Version >= new Version(0, 24) ? "rawtracepoint" : "tracepoint";

    [SkippableFact]
    public async Task Check_says_each_builtin_attaches_as_the_tests_bpftrace_allows()
    {
        KernelPrerequisites.Require();
        using var config = new TemporaryConfigFile(DaemonProcess.AllProbesConfig);

        var check = await CheckRun.RunAsync(config.Path);

        var type = ExpectedBuiltinAttachType;
        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.True(check.StandardOutput.Contains(
            type == "rawtracepoint" ? "attach: the built-ins use typed raw tracepoints (bpftrace " : "attach: the built-ins use classic tracepoints: ",
            StringComparison.Ordinal), check.ToString());
        foreach (var probe in DaemonProcess.AllProbes)
        {
            Assert.True(check.StandardOutput.Contains($"ok: probe {probe} attaches on this host as {type} ({type}:", StringComparison.Ordinal), check.ToString());
        }
    }

    [SkippableFact]
    public async Task With_attach_tracepoint_every_builtin_attaches_to_a_classic_tracepoint()
    {
        KernelPrerequisites.Require();
        using var config = new TemporaryConfigFile(DaemonProcess.AllProbesConfig + "bpftrace:\n  attach: tracepoint\n");

        var check = await CheckRun.RunAsync(config.Path);

        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.True(check.StandardOutput.Contains("attach: the built-ins use classic tracepoints: ", StringComparison.Ordinal), check.ToString());
        foreach (var probe in DaemonProcess.AllProbes)
        {
            Assert.True(check.StandardOutput.Contains($"ok: probe {probe} attaches on this host as tracepoint (tracepoint:", StringComparison.Ordinal), check.ToString());
        }
    }
}
