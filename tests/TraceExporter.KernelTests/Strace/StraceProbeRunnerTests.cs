using System.Globalization;
using CliWrap;
using Microsoft.Extensions.Logging.Abstractions;
using TraceExporter.Configuration;
using TraceExporter.KernelTests.Infrastructure;
using TraceExporter.Metrics;
using TraceExporter.Probes;
using TraceExporter.Strace;
using Xunit;

namespace TraceExporter.KernelTests.Strace;

public sealed class StraceProbeRunnerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [SkippableFact]
    public async Task A_program_opening_a_missing_file_5_times_and_a_present_one_3_times_is_counted_exactly()
    {
        StracePrerequisite.Require();
        using var scratch = await StraceScratch.CreateAsync();
        using var kill = new CancellationTokenSource();
        var script = $"read x < {scratch.Go}; for i in 1 2 3 4 5; do true < {scratch.Missing}; done; " +
                     $"for i in 1 2 3; do true < {scratch.Present}; done; read x < {scratch.Go}";
        var program = Cli.Wrap("dash").WithArguments(["-c", script]).WithValidation(CommandResultValidation.None).ExecuteAsync(kill.Token);
        using var launcher = new ChildProcessLauncher();
        var metrics = new StraceMetrics(Prometheus.Metrics.NewCustomRegistry());
        var runner = new StraceProbeRunner(
            new StraceProbeSettings
            {
                Name = "files", TargetKind = StraceTargetKind.Pid, Target = program.ProcessId.ToString(CultureInfo.InvariantCulture),
                Filters = ["trace=openat"],
            },
            metrics,
            launcher,
            NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var running = runner.RunAsync(stop.Token);
        try
        {
            Assert.True(await Poll.UntilAsync(() => runner.State.Status == ProbeStatus.Up, Deadline), $"not attached: {runner.State}");
            await scratch.ReleaseAsync();
            var enoent = metrics.Errors.WithLabels("files", "openat", "ENOENT");
            var ok = metrics.Syscalls.WithLabels("files", "openat", "ok");
            Assert.True(await Poll.UntilAsync(() => enoent.Value >= 5 && ok.Value >= 3, Deadline), $"ENOENT {enoent.Value}, ok {ok.Value}");
            await scratch.ReleaseAsync();
            await program;
            Assert.True(await Poll.UntilAsync(() => runner.State.Status == ProbeStatus.Failed, Deadline), $"exit not reported: {runner.State}");

            Assert.Equal(5, enoent.Value);
            Assert.Equal(5, metrics.Syscalls.WithLabels("files", "openat", "error").Value);
            Assert.True(ok.Value >= 3, $"ok {ok.Value}");
            Assert.Contains($"pid {program.ProcessId} exited with 0", runner.State.Reason);
        }
        finally
        {
            await stop.CancelAsync();
            await kill.CancelAsync();
            await running.WaitAsync(Deadline);
        }
    }

    [SkippableFact]
    public async Task A_name_target_attaches_to_every_process_of_that_name_and_to_new_ones()
    {
        StracePrerequisite.Require();
        using var scratch = await StraceScratch.CreateAsync();
        var name = "te-st" + UniqueName.Suffix(8); // its own copy of dash, so no other process has this name
        var binary = Path.Combine(scratch.Directory, name);
        File.Copy(KernelPrerequisites.FindOnPath("dash")!, binary);
        File.SetUnixFileMode(binary, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        using var kill = new CancellationTokenSource();
        var script = $"read x < {scratch.Go}; true < {scratch.Missing}";
        CommandTask<CommandResult> Start() => Cli.Wrap(binary).WithArguments(["-c", script]).WithValidation(CommandResultValidation.None).ExecuteAsync(kill.Token);

        var first = Start();
        using var launcher = new ChildProcessLauncher();
        var metrics = new StraceMetrics(Prometheus.Metrics.NewCustomRegistry());
        var runner = new StraceProbeRunner(
            new StraceProbeSettings
            {
                Name = "byname", TargetKind = StraceTargetKind.Name, Target = name, Filters = ["trace=openat", "status=failed"],
                PollInterval = TimeSpan.FromMilliseconds(200),
            },
            metrics,
            launcher,
            NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var running = runner.RunAsync(stop.Token);
        try
        {
            Assert.True(await Poll.UntilAsync(() => runner.AttachedPids.Contains(first.ProcessId) && runner.State.Status == ProbeStatus.Up, Deadline), $"{runner.State}");
            var second = Start();
            Assert.True(await Poll.UntilAsync(() => runner.AttachedPids.Contains(second.ProcessId), Deadline), "the new process was not picked up");

            // Both wait on one FIFO: one write and its close let both go on.
            await scratch.ReleaseAsync();
            await Task.WhenAll(first, second).WaitAsync(Deadline);
            var enoent = metrics.Errors.WithLabels("byname", "openat", "ENOENT");
            Assert.True(await Poll.UntilAsync(() => runner.AttachedPids.Count == 0, Deadline), "exits not reported");
            Assert.Equal(2, enoent.Value);
            // The state follows the last exit a moment after the pid list empties: wait for it.
            Assert.True(await Poll.UntilAsync(() => runner.State.Status == ProbeStatus.Starting, Deadline), $"{runner.State}"); // waiting for the next one
            Assert.Contains("waiting for a process named", runner.State.Reason);

            var third = Start();
            Assert.True(await Poll.UntilAsync(() => runner.AttachedPids.Contains(third.ProcessId), Deadline), "picked up again after all exited");
            await scratch.ReleaseAsync();
            await third.Task.WaitAsync(Deadline);
            Assert.True(await Poll.UntilAsync(() => enoent.Value == 3, Deadline), $"ENOENT {enoent.Value}");
        }
        finally
        {
            await stop.CancelAsync();
            await kill.CancelAsync();
            await running.WaitAsync(Deadline);
        }
    }

    [SkippableFact]
    public async Task Strace_missing_a_pid_that_does_not_exist_and_a_rejected_filter_each_fail_with_one_clear_reason()
    {
        StracePrerequisite.Require();
        using var kill = new CancellationTokenSource();
        var sleeper = Cli.Wrap("dash").WithArguments(["-c", "read x"]).WithStandardInputPipe(PipeSource.Create((_, ct) => Task.Delay(-1, ct)))
            .WithValidation(CommandResultValidation.None).ExecuteAsync(kill.Token);
        var livePid = sleeper.ProcessId.ToString(CultureInfo.InvariantCulture);
        var pidMax = int.Parse(File.ReadAllText("/proc/sys/kernel/pid_max").Trim(), CultureInfo.InvariantCulture);
        var absent = Enumerable.Range(0, 1000).Select(i => pidMax - 1 - i).First(p => !Directory.Exists($"/proc/{p}"));
        try
        {
            var noStrace = await RunToEndAsync(new StraceProbeSettings
            {
                Name = "p", TargetKind = StraceTargetKind.Pid, Target = livePid, StracePath = "/nonexistent/strace",
            });
            var noPid = await RunToEndAsync(new StraceProbeSettings
            {
                Name = "p", TargetKind = StraceTargetKind.Pid, Target = absent.ToString(CultureInfo.InvariantCulture),
            });
            var badFilter = await RunToEndAsync(new StraceProbeSettings
            {
                Name = "p", TargetKind = StraceTargetKind.Pid, Target = livePid, Filters = ["trace=no_such_call"],
            });

            Assert.Equal((ProbeStatus.Failed, "strace not found: '/nonexistent/strace' is not an executable file or on PATH"), noStrace);
            Assert.Equal((ProbeStatus.Failed, $"no process with pid {absent}"), noPid);
            Assert.Equal((ProbeStatus.Failed, "strace: invalid system call 'no_such_call'"), badFilter);
        }
        finally
        {
            await kill.CancelAsync();
        }
    }

    private static async Task<(ProbeStatus, string?)> RunToEndAsync(StraceProbeSettings settings)
    {
        using var launcher = new ChildProcessLauncher();
        var runner = new StraceProbeRunner(settings, new StraceMetrics(Prometheus.Metrics.NewCustomRegistry()), launcher, NullLogger.Instance);
        await runner.RunAsync(CancellationToken.None).WaitAsync(Deadline);
        return (runner.State.Status, runner.State.Reason);
    }
}
