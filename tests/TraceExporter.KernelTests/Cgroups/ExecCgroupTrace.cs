using System.Collections.Concurrent;
using System.Globalization;
using CliWrap;
using TraceExporter.KernelTests.Infrastructure;

namespace TraceExporter.KernelTests.Cgroups;

/// <summary>
/// A bpftrace printing bpftrace's <c>cgroup</c> builtin for every exec of one comm, and the binary that has that
/// comm: a copy of <c>/bin/true</c> under a unique name. <see cref="ExecInAsync"/> runs it inside a cgroup: a
/// shell writes its own pid to the cgroup's <c>cgroup.procs</c>, then execs the binary, so the exec happens there.
/// </summary>
internal sealed class ExecCgroupTrace : IAsyncDisposable
{
    private readonly OutputLog _log = new();
    private readonly ConcurrentQueue<ulong> _ids = new();
    private readonly CancellationTokenSource _graceful = new();
    private readonly CancellationTokenSource _forceful = new();
    private readonly DirectoryInfo _binaryDirectory;
    private CommandTask<CommandResult>? _task;

    private ExecCgroupTrace(DirectoryInfo binaryDirectory, string comm)
    {
        _binaryDirectory = binaryDirectory;
        Comm = comm;
    }

    public string Comm { get; }

    public string Binary => Path.Combine(_binaryDirectory.FullName, Comm);

    public string Output => _log.ToString();

    /// <summary>The cgroup ids printed so far.</summary>
    public IReadOnlyList<ulong> Ids => [.. _ids];

    public static async Task<ExecCgroupTrace> StartAsync(string bpftrace = "bpftrace")
    {
        var comm = "tkc" + UniqueName.Suffix(12);
        var trace = new ExecCgroupTrace(Directory.CreateTempSubdirectory("te-kt-cgroup-"), comm);
        File.Copy("/bin/true", trace.Binary);
        File.SetUnixFileMode(trace.Binary, UnixFileMode.UserRead | UnixFileMode.UserExecute);

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        trace._log.StandardOutputLine += line =>
        {
            if (line == "ready")
            {
                ready.TrySetResult();
            }
            else if (ulong.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                trace._ids.Enqueue(id);
            }
        };

        // BEGIN runs once every probe is attached.
        var program = $$"""
            BEGIN { printf("ready\n"); }
            tracepoint:sched:sched_process_exec /comm == "{{comm}}"/ { printf("%llu\n", cgroup); }
            """;
        trace._task = Cli.Wrap(bpftrace)
            .WithArguments(["-e", program])
            .WithStandardOutputPipe(PipeTarget.ToDelegate(trace._log.AppendStandardOutput))
            .WithStandardErrorPipe(PipeTarget.ToDelegate(trace._log.AppendStandardError))
            .WithValidation(CommandResultValidation.None)
            .ExecuteAsync(trace._forceful.Token, trace._graceful.Token);

        var first = await Task.WhenAny(ready.Task, trace._task, Task.Delay(TimeSpan.FromSeconds(60)));
        if (first != ready.Task)
        {
            await trace.DisposeAsync();
            throw new InvalidOperationException($"bpftrace did not attach within 60 s:\n{trace.Output}");
        }

        return trace;
    }

    /// <summary>Execs the binary inside <paramref name="cgroup"/> until bpftrace has printed an id, and returns the first.</summary>
    public async Task<ulong?> ObserveExecInAsync(TestCgroup cgroup, TimeSpan deadline)
    {
        await Poll.UntilAsync(
            async () =>
            {
                if (_ids.IsEmpty)
                {
                    await ExecInAsync(cgroup);
                }

                return !_ids.IsEmpty;
            },
            deadline);
        return _ids.TryPeek(out var id) ? id : null;
    }

    public async Task ExecInAsync(TestCgroup cgroup)
    {
        var procs = Path.Combine(cgroup.Directory, "cgroup.procs");
        var result = await ExternalTool.RunUncheckedAsync("sh", ["-c", "echo $$ > \"$1\" && exec \"$2\"", "sh", procs, Binary]);
        _log.Note($"exec of {Comm} in {cgroup.PathUnderMount}: exit {result.ExitCode} {result.StandardError.Trim()}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_task is not null)
        {
            // SIGINT first (bpftrace detaches and exits), SIGKILL after 5 s.
            await _graceful.CancelAsync();
            _forceful.CancelAfter(TimeSpan.FromSeconds(5));
            try
            {
                await _task;
            }
            catch (OperationCanceledException)
            {
            }
        }

        _graceful.Dispose();
        _forceful.Dispose();
        _binaryDirectory.Delete(recursive: true);
    }
}
