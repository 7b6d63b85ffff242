using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace TraceExporter.Web;

/// <summary>
/// Runs bcrypt verifications on dedicated threads of their own, at a lower CPU priority (nice 10), a few at a
/// time: a flood of wrong passwords then costs at most <see cref="Threads"/> cores' worth of low-priority
/// time and never blocks a thread-pool thread, so scrapes, the reading of bpftrace's output and the rest of the
/// daemon go on. Requests past <see cref="QueueLength"/> waiting are refused at once (null), not queued.
/// </summary>
public sealed class BcryptVerifier : IDisposable
{
    /// <summary>One verification at a time: a bcrypt of cost 10 is ~70 ms of one core, and this daemon runs beside the workload it measures.</summary>
    public const int DefaultThreads = 1;

    /// <summary>Requests that may wait for a verification: a few, so a legitimate first login during a flood still has a chance.</summary>
    public const int DefaultQueueLength = 4;

    private const int Nice = 10;

    private readonly BlockingCollection<Work> _queue;
    private readonly Func<string, string, bool> _verify;
    private readonly Thread[] _threads;

    public BcryptVerifier(int threads = DefaultThreads, int queueLength = DefaultQueueLength, Func<string, string, bool>? verify = null)
    {
        Threads = threads;
        QueueLength = queueLength;
        _verify = verify ?? Verify;
        _queue = new BlockingCollection<Work>(boundedCapacity: queueLength);
        _threads = [.. Enumerable.Range(0, threads).Select(i => new Thread(Run) { IsBackground = true, Name = $"bcrypt-{i}" })];
        foreach (var thread in _threads)
        {
            thread.Start();
        }
    }

    public int Threads { get; }

    public int QueueLength { get; }

    /// <summary>Whether <paramref name="password"/> matches <paramref name="hash"/>; null when too many are waiting already.</summary>
    public Task<bool?> VerifyAsync(string password, string hash)
    {
        var work = new Work(password, hash, new TaskCompletionSource<bool?>(TaskCreationOptions.RunContinuationsAsynchronously));
        return _queue.TryAdd(work) ? work.Result.Task : Task.FromResult<bool?>(null);
    }

    public void Dispose() => _queue.CompleteAdding();

    private static bool Verify(string password, string hash)
    {
        try
        {
            return BCrypt.Net.BCrypt.Verify(password, hash);
        }
        catch (BCrypt.Net.SaltParseException)
        {
            return false;
        }
    }

    private void Run()
    {
        LowerPriority();
        foreach (var work in _queue.GetConsumingEnumerable())
        {
            try
            {
                work.Result.TrySetResult(_verify(work.Password, work.Hash));
            }
            catch (Exception e)
            {
                work.Result.TrySetException(e);
            }
        }
    }

    /// <summary>Linux gives each thread its own nice value (setpriority on its thread id); raising it needs no privilege.</summary>
    private static void LowerPriority()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            _ = SetPriority(0, GetThreadId(), Nice);
        }
        catch (EntryPointNotFoundException)
        {
            // a libc without gettid (glibc < 2.30): the threads keep the daemon's priority
        }
    }

    // DllImport, not LibraryImport: ints need no marshalling, and LibraryImport would need unsafe code in the project.
    [DllImport("libc", EntryPoint = "gettid")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int GetThreadId();

    [DllImport("libc", EntryPoint = "setpriority")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SetPriority(int which, int who, int priority);

    private sealed record Work(string Password, string Hash, TaskCompletionSource<bool?> Result);
}
