using System.Collections.Concurrent;
using System.Globalization;
using TraceExporter.KernelTests.Infrastructure;

namespace TraceExporter.KernelTests.Cgroups;

/// <summary>
/// A bpftrace printing bpftrace's <c>cgroup</c> builtin for every exec of one comm, and the binary that has that
/// comm: a copy of <c>/bin/true</c> under a unique name. <see cref="ExecInAsync"/> runs it inside a cgroup: a
/// shell writes its own pid to the cgroup's <c>cgroup.procs</c>, then execs the binary, so the exec happens there.
/// </summary>
internal sealed class ExecCgroupTrace : IAsyncDisposable
{
    private readonly ConcurrentQueue<ulong> _ids = new();
    private readonly DirectoryInfo _binaryDirectory;
    private SideBpftrace? _bpftrace;

    private ExecCgroupTrace(DirectoryInfo binaryDirectory, string comm)
    {
        _binaryDirectory = binaryDirectory;
        Comm = comm;
    }

    public string Comm { get; }

    public string Binary => Path.Combine(_binaryDirectory.FullName, Comm);

    public string Output => _bpftrace?.Output ?? "";

    /// <summary>The cgroup ids printed so far.</summary>
    public IReadOnlyList<ulong> Ids => [.. _ids];

    public static async Task<ExecCgroupTrace> StartAsync(string bpftrace = "bpftrace")
    {
        var comm = "tkc" + UniqueName.Suffix(12);
        var trace = new ExecCgroupTrace(Directory.CreateTempSubdirectory("te-kt-cgroup-"), comm);
        File.Copy("/bin/true", trace.Binary);
        File.SetUnixFileMode(trace.Binary, UnixFileMode.UserRead | UnixFileMode.UserExecute);

        try
        {
            trace._bpftrace = await SideBpftrace.StartAsync(
                $$"""tracepoint:sched:sched_process_exec /comm == "{{comm}}"/ { printf("%llu\n", cgroup); }""",
                line =>
                {
                    if (ulong.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                    {
                        trace._ids.Enqueue(id);
                    }
                },
                bpftrace);
        }
        catch
        {
            await trace.DisposeAsync();
            throw;
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
        _bpftrace?.Note($"exec of {Comm} in {cgroup.PathUnderMount}: exit {result.ExitCode} {result.StandardError.Trim()}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_bpftrace is not null)
        {
            await _bpftrace.DisposeAsync();
        }

        _binaryDirectory.Delete(recursive: true);
    }
}
