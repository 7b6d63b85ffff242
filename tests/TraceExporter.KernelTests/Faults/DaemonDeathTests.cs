using System.Globalization;
using TraceExporter.KernelTests.Infrastructure;
using Xunit;

namespace TraceExporter.KernelTests.Faults;

public sealed class DaemonDeathTests
{
    private static readonly TimeSpan ReapDeadline = TimeSpan.FromSeconds(5);

    [SkippableFact]
    public async Task Sigterm_exits_zero_within_five_seconds_and_leaves_no_bpftrace_and_no_bpf_program_of_it()
    {
        BpftoolPrerequisite.Require();
        var before = await BpfPrograms.LoadedAsync();
        await using var daemon = await DaemonProcess.StartHealthyAsync();
        var (children, ours) = await ChildrenAndTheirProgramsAsync(daemon, before);

        var (exitCode, elapsed) = await daemon.StopAsync(killAfter: TimeSpan.FromSeconds(10));
        var (alive, left, after) = await WhatRemainsAsync(children, ours);

        var message = FailureReport.Describe(
            "expected exit code 0 within 5 s of SIGTERM, every child gone and none of its BPF programs loaded",
            daemon,
            null,
            [],
            $"exit code {exitCode?.ToString(CultureInfo.InvariantCulture) ?? "none (killed after 10 s)"} after {elapsed.TotalSeconds:F2} s",
            $"descendants before SIGTERM: {BpftraceChildren.Describe(children)}",
            $"still alive {ReapDeadline} later: {BpftraceChildren.Describe(alive)}",
            $"programs held by our bpftrace: [{string.Join(", ", ours.Order())}]; still listed by bpftool: [{string.Join(", ", left.Order())}]",
            $"bpftool before start: {before.Count} programs; after stop: {after.Count} (others' tests may load their own meanwhile)");
        KillAll(alive);
        Assert.True(exitCode == 0 && elapsed <= TimeSpan.FromSeconds(5), message);
        Assert.True(alive.Count == 0, message);
        Assert.True(left.Count == 0, message);
    }

    [SkippableFact]
    public async Task Sigkill_of_the_daemon_takes_its_bpftrace_and_its_bpf_programs_with_it()
    {
        BpftoolPrerequisite.Require();
        var before = await BpfPrograms.LoadedAsync();
        await using var daemon = await DaemonProcess.StartHealthyAsync();
        var (children, ours) = await ChildrenAndTheirProgramsAsync(daemon, before);

        UnixSignal.Send(daemon.ProcessId, UnixSignal.SigKill);
        var (alive, left, after) = await WhatRemainsAsync(children, ours);

        var message = FailureReport.Describe(
            $"expected every child of a SIGKILLed daemon gone within {ReapDeadline} (pdeathsig) and none of its BPF programs loaded",
            daemon,
            null,
            [],
            $"descendants before SIGKILL: {BpftraceChildren.Describe(children)}",
            $"still alive {ReapDeadline} later: {BpftraceChildren.Describe(alive)}",
            $"programs held by our bpftrace: [{string.Join(", ", ours.Order())}]; still listed by bpftool: [{string.Join(", ", left.Order())}]",
            $"bpftool before start: {before.Count} programs; after: {after.Count}");
        KillAll(alive);
        Assert.True(alive.Count == 0, message);
        Assert.True(left.Count == 0, message);
    }

    /// <summary>The daemon's descendants and the BPF programs its bpftrace holds, checked to be real and new.</summary>
    private static async Task<(IReadOnlyList<ProcessEntry> Children, IReadOnlySet<int> Programs)> ChildrenAndTheirProgramsAsync(
        DaemonProcess daemon, IReadOnlySet<int> before)
    {
        var children = ProcessTable.Descendants(daemon.ProcessId);
        var bpftrace = children.Where(p => p.Comm == "bpftrace").ToList();
        var ours = bpftrace.SelectMany(p => BpfPrograms.HeldBy(p.Pid)).ToHashSet();
        var loaded = await BpfPrograms.LoadedAsync();
        // Proves the check below can fail: bpftool lists what our bpftrace holds, and none of it predates the daemon.
        Assert.True(
            bpftrace.Count > 0 && ours.Count > 0 && ours.IsSubsetOf(loaded) && !ours.Overlaps(before),
            FailureReport.Describe(
                "expected a healthy daemon to have a bpftrace holding BPF programs that bpftool lists and that are new",
                daemon,
                null,
                [],
                $"descendants: {BpftraceChildren.Describe(children)}",
                $"programs held: [{string.Join(", ", ours.Order())}]",
                $"bpftool lists: [{string.Join(", ", loaded.Order())}]",
                $"before start: [{string.Join(", ", before.Order())}]"));
        return (children, ours);
    }

    private static async Task<(List<ProcessEntry> Alive, HashSet<int> Left, IReadOnlySet<int> After)> WhatRemainsAsync(
        IReadOnlyList<ProcessEntry> children, IReadOnlySet<int> ours)
    {
        var alive = new List<ProcessEntry>();
        await Poll.UntilAsync(() => (alive = children.Where(ProcessTable.IsAlive).ToList()).Count == 0, ReapDeadline);
        IReadOnlySet<int> after = new HashSet<int>();
        var left = new HashSet<int>();
        // The kernel frees a program shortly after its last fd closes (RCU): a short deadline, not a sleep.
        await Poll.UntilAsync(
            async () =>
            {
                after = await BpfPrograms.LoadedAsync();
                left = ours.Where(after.Contains).ToHashSet();
                return left.Count == 0;
            },
            ReapDeadline);
        return (alive, left, after);
    }

    private static void KillAll(IEnumerable<ProcessEntry> processes)
    {
        foreach (var process in processes.Where(ProcessTable.IsAlive))
        {
            UnixSignal.Send(process.Pid, UnixSignal.SigKill);
        }
    }
}
