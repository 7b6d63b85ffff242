using System.Globalization;
using CliWrap;
using CliWrap.Buffered;
using TraceExporter.Kernel;
using TraceExporter.KernelTests.Infrastructure;
using Xunit;

namespace TraceExporter.KernelTests.Cgroups;

/// <summary>The daemon's built-ins and user probes labelled by the cgroups of our own that their events happen in.</summary>
public sealed class DaemonCgroupLabelsTests
{
    private const string PodSlices = "kubepods.slice/kubepods-besteffort.slice";

    [SkippableFact]
    public async Task A_process_in_a_service_connecting_three_times_is_counted_three_times_under_its_comm_and_unit()
    {
        var mount = CgroupPrerequisite.Require();
        var suffix = UniqueName.Suffix(6);
        await using var cgroup = await TestCgroup.CreateAsync(mount, $"te-test-{suffix}.slice", $"te-web-{suffix}.service");
        await using var daemon = await DaemonProcess.StartHealthyAsync(DaemonProcess.AllProbesConfig
            .Replace("tcp_connects: true", "tcp_connects: { labels: [comm, unit] }", StringComparison.Ordinal));
        await using var server = ReplyServer.Start();
        using var storm = await ExecStorm.CreateAsync("tkg" + UniqueName.Suffix(2), 1);

        for (var i = 0; i < 3; i++)
        {
            await RunInAsync(cgroup, storm.LinkOf(0), server.Port);
        }

        var labels = (("comm", storm.NameOf(0)), ("unit", $"te-web-{suffix}.service"));
        var page = await Poll.UntilAsync(daemon.ScrapePageAsync, p => p.Counter("trace_tcp_connects_total", labels.Item1, labels.Item2) >= 3, TimeSpan.FromSeconds(15));
        await Task.Delay(2 * DaemonProcess.Interval);
        page = await daemon.ScrapePageAsync();

        Assert.True(
            page.Counter("trace_tcp_connects_total", labels.Item1, labels.Item2) == 3,
            FailureReport.Describe("three connects in the service counted under its comm and unit", daemon, page, ["trace_tcp_connects_total"], $"cgroup {cgroup.PathUnderMount}"));
    }

    [SkippableFact]
    public async Task Execs_in_a_pods_containerd_docker_and_crio_scopes_are_counted_with_the_pod_uid_and_each_container_id()
    {
        var mount = CgroupPrerequisite.Require();
        var suffix = UniqueName.Suffix(6);
        var ids = Enumerable.Range(0, 3).Select(_ => Hex64()).ToList();
        var podUid = Guid.NewGuid().ToString(); // as the kubelet's systemd driver writes it: "-" as "_"
        await using var containerd = await TestCgroup.CreateAsync(mount, [.. PodSlices.Split('/'), $"kubepods-besteffort-pod{podUid.Replace('-', '_')}.slice", $"cri-containerd-{ids[0]}.scope"]);
        await using var docker = await TestCgroup.CreateAsync(mount, $"te-docker-{suffix}.slice", $"docker-{ids[1]}.scope");
        await using var crio = await TestCgroup.CreateAsync(mount, $"te-crio-{suffix}.slice", $"crio-{ids[2]}.scope");
        await using var daemon = await DaemonProcess.StartHealthyAsync(DaemonProcess.AllProbesConfig
            .Replace("process_execs: true", "process_execs: { labels: [comm, container_id, pod_uid] }", StringComparison.Ordinal));
        using var storm = await ExecStorm.CreateAsync("tkp" + UniqueName.Suffix(2), 3);

        var cgroups = new[] { containerd, docker, crio };
        for (var n = 0; n < 3; n++)
        {
            await RunInAsync(cgroups[n], storm.LinkOf(n), 0);
            await RunInAsync(cgroups[n], storm.LinkOf(n), 0);
        }

        var expected = new (string Comm, string Container, string Pod)[]
        {
            (storm.NameOf(0), ids[0], podUid),
            (storm.NameOf(1), ids[1], ""),
            (storm.NameOf(2), ids[2], ""),
        };
        var page = await Poll.UntilAsync(
            daemon.ScrapePageAsync,
            p => expected.All(e => p.Counter("trace_process_execs_total", ("comm", e.Comm), ("container_id", e.Container), ("pod_uid", e.Pod)) >= 2),
            TimeSpan.FromSeconds(15));
        await Task.Delay(2 * DaemonProcess.Interval);
        page = await daemon.ScrapePageAsync();

        var message = FailureReport.Describe(
            "two execs in each scope, counted with its container_id (and the pod's UID for the kubepods one)",
            daemon, page, ["trace_process_execs_total"], string.Join("\n", cgroups.Select(c => c.PathUnderMount)));
        Assert.All(expected, e => Assert.True(page.Counter("trace_process_execs_total", ("comm", e.Comm), ("container_id", e.Container), ("pod_uid", e.Pod)) == 2, message));
    }

    [SkippableFact]
    public async Task The_series_of_a_removed_cgroup_go_after_the_grace_period()
    {
        var mount = CgroupPrerequisite.Require();
        var suffix = UniqueName.Suffix(6);
        var cgroup = await TestCgroup.CreateAsync(mount, $"te-gone-{suffix}.service");
        await using var daemon = await DaemonProcess.StartHealthyAsync(DaemonProcess.AllProbesConfig
            .Replace("process_execs: true", "process_execs: { labels: [comm, unit] }", StringComparison.Ordinal) + "cgroups:\n  series_grace: 2s\n");
        using var storm = await ExecStorm.CreateAsync("tkr" + UniqueName.Suffix(2), 1);
        var labels = (("comm", storm.NameOf(0)), ("unit", $"te-gone-{suffix}.service"));

        await RunInAsync(cgroup, storm.LinkOf(0), 0);
        var counted = await Poll.UntilAsync(daemon.ScrapePageAsync, p => p.Counter("trace_process_execs_total", labels.Item1, labels.Item2) == 1, TimeSpan.FromSeconds(15));
        Assert.True(await cgroup.RemoveAsync(), $"could not remove {cgroup.PathUnderMount}");
        var removedAt = DateTime.UtcNow;

        var page = await Poll.UntilAsync(daemon.ScrapePageAsync, p => p.Value("trace_process_execs_total", labels.Item1, labels.Item2) is null, TimeSpan.FromSeconds(30));
        var took = DateTime.UtcNow - removedAt;
        var message = FailureReport.Describe("the series of a removed cgroup removed after the 2 s grace period", daemon, page, ["trace_process_execs_total"], $"gone after {took.TotalSeconds:F1} s");
        Assert.True(counted.Counter("trace_process_execs_total", labels.Item1, labels.Item2) == 1, message);
        Assert.True(page.Value("trace_process_execs_total", labels.Item1, labels.Item2) is null, message);
        Assert.True(took >= TimeSpan.FromSeconds(1.5), message); // not before the grace period
    }

    [SkippableFact]
    public async Task A_user_program_keyed_by_cgroup_and_comm_exports_both_labels_exactly()
    {
        var mount = CgroupPrerequisite.Require();
        var suffix = UniqueName.Suffix(6);
        await using var cgroup = await TestCgroup.CreateAsync(mount, $"te-user-{suffix}.slice", $"te-job-{suffix}.service");
        using var storm = await ExecStorm.CreateAsync("tku" + UniqueName.Suffix(2), 1);
        await using var daemon = await DaemonProcess.StartHealthyAsync($$"""
            interval: 1s
            builtin: {}
            probes:
              - name: by_cgroup
                program: |
                  tracepoint:sched:sched_process_exec /strncmp(comm, "{{storm.Prefix}}", 5) == 0/ {
                    @execs[cgroup, *(uint64 *)((uint64)curtask + {{"{{offsetof task_struct.comm}}"}}),
                           *(uint64 *)((uint64)curtask + {{"{{offsetof task_struct.comm}}"}} + 8)] = count();
                  }
                metrics:
                  - map: "@execs"
                    name: by_cgroup_execs_total
                    help: Execs by cgroup and comm.
                    labels: [{ kind: cgroup, labels: [cgroup, unit] }, { name: comm, kind: packed_name }]
            """);

        for (var i = 0; i < 4; i++)
        {
            await RunInAsync(cgroup, storm.LinkOf(0), 0);
        }

        var labels = new[] { ("cgroup", cgroup.PathUnderMount), ("unit", $"te-job-{suffix}.service"), ("comm", storm.NameOf(0)) };
        var page = await Poll.UntilAsync(daemon.ScrapePageAsync, p => p.Counter("by_cgroup_execs_total", labels) >= 4, TimeSpan.FromSeconds(15));
        await Task.Delay(2 * DaemonProcess.Interval);
        page = await daemon.ScrapePageAsync();

        Assert.True(page.Counter("by_cgroup_execs_total", labels) == 4, FailureReport.Describe("four execs under the cgroup's path, unit and the comm", daemon, page, ["by_cgroup_execs_total"]));
    }

    /// <summary>Runs <paramref name="program"/> as a process that first moves itself into the cgroup (before exec: the exec happens in it).</summary>
    private static async Task RunInAsync(TestCgroup cgroup, string program, int port)
    {
        var procs = Path.Combine(cgroup.Directory, "cgroup.procs");
        var result = await Cli.Wrap("/bin/sh")
            .WithArguments(["-c", $"echo $$ > '{procs}' && exec '{program}' {port.ToString(CultureInfo.InvariantCulture)}"])
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync();
        Assert.True(result.ExitCode == 0, $"{program} in {cgroup.PathUnderMount} exited {result.ExitCode}: {result.StandardError}");
    }

    private static string Hex64() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
}
