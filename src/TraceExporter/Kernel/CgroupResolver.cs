using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.IO.Enumeration;

namespace TraceExporter.Kernel;

/// <summary>
/// cgroup id (bpftrace's <c>cgroup</c>: the inode number of the cgroup's directory) → its path under the cgroup2
/// mount. The tree is walked (breadth-first, directories only, symlinks not followed) on the first lookup and
/// again on a miss, but at most once per <c>minimumWalkInterval</c>, so a flood of unknown ids cannot make every
/// event cost a walk. An id that a walk begun after it was asked for does not find is never walked for again: its
/// cgroup was gone already (or is outside this mount). An id whose directory goes away keeps its last path, and
/// <see cref="CheckGone"/> says since when it is gone. Safe to call from several threads; a known id is answered
/// without a lock, also while a walk runs.
/// </summary>
public sealed class CgroupResolver
{
    public static readonly TimeSpan DefaultMinimumWalkInterval = TimeSpan.FromSeconds(5);

    /// <summary>How many never-resolved ids are remembered; past it they are forgotten (and cost a walk again).</summary>
    public const int MaxUnresolvedIds = 65_536;

    private readonly string _prefix;
    private readonly TimeSpan _minimumWalkInterval;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<ulong, Known> _known = new();
    private readonly ConcurrentDictionary<ulong, byte> _unresolved = new();
    private readonly HashSet<ulong> _waitingForWalk = []; // under _gate: asked for since the last walk began
    private readonly Lock _gate = new();
    private long? _lastWalkStarted;
    private long _walks;

    public CgroupResolver(string mountPoint)
        : this(mountPoint, DefaultMinimumWalkInterval, TimeProvider.System)
    {
    }

    public CgroupResolver(string mountPoint, TimeSpan minimumWalkInterval, TimeProvider timeProvider)
    {
        ArgumentException.ThrowIfNullOrEmpty(mountPoint);
        ArgumentOutOfRangeException.ThrowIfLessThan(minimumWalkInterval, TimeSpan.Zero);
        MountPoint = mountPoint;
        _prefix = mountPoint.TrimEnd('/');
        _minimumWalkInterval = minimumWalkInterval;
        _time = timeProvider;
    }

    /// <summary>The cgroup2 mount point walked.</summary>
    public string MountPoint { get; }

    /// <summary>How many walks of the tree have begun (a self-metric, and what the tests count).</summary>
    public long Walks => Interlocked.Read(ref _walks);

    /// <summary>
    /// The path of cgroup <paramref name="id"/> under the mount (<c>/</c> for its root), also when its directory is
    /// gone since. False when unresolved: not found yet (the next walk may only begin once
    /// <c>minimumWalkInterval</c> has passed since the last began; a later call may find it), or not found by a walk
    /// begun after the id was first asked for (then it stays unresolved, and costs no more walks).
    /// </summary>
    public bool TryResolve(ulong id, [NotNullWhen(true)] out string? path)
    {
        if (_known.TryGetValue(id, out var known))
        {
            path = known.Path;
            return true;
        }

        path = null;
        if (_unresolved.ContainsKey(id))
        {
            return false;
        }

        lock (_gate)
        {
            if (_known.TryGetValue(id, out known))
            {
                path = known.Path;
                return true;
            }

            if (_unresolved.ContainsKey(id))
            {
                return false;
            }

            if (_lastWalkStarted is { } started && _time.GetElapsedTime(started) < _minimumWalkInterval)
            {
                if (_waitingForWalk.Count < MaxUnresolvedIds)
                {
                    _waitingForWalk.Add(id);
                }

                return false;
            }

            // Every id asked for so far existed before this walk begins (an event was seen in it), so one this
            // walk does not find is gone: it will never resolve.
            _waitingForWalk.Add(id);
            if (Walk())
            {
                foreach (var waiting in _waitingForWalk.Where(w => !_known.ContainsKey(w)))
                {
                    if (_unresolved.Count >= MaxUnresolvedIds)
                    {
                        _unresolved.Clear();
                    }

                    _unresolved.TryAdd(waiting, 0);
                }

                _waitingForWalk.Clear();
            }

            if (_known.TryGetValue(id, out known))
            {
                path = known.Path;
                return true;
            }

            return false;
        }
    }

    /// <summary>
    /// Looks at the directory of every known id (one <c>statx</c> each, no walk) and returns those gone, oldest
    /// first. A directory is gone when its path no longer exists or now holds another cgroup (another inode).
    /// Walks mark what they no longer find too; <see cref="GoneCgroup.Since"/> is the first time either saw it gone.
    /// </summary>
    public IReadOnlyList<GoneCgroup> CheckGone()
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            foreach (var (id, known) in _known)
            {
                var present = DirectoryInode.TryGet(FullPath(known.Path), out var inode) && inode == id;
                if (present == known.GoneSince.HasValue)
                {
                    _known[id] = known with { GoneSince = present ? null : now };
                }
            }

            return [.. _known
                .Where(pair => pair.Value.GoneSince.HasValue)
                .Select(pair => new GoneCgroup(pair.Key, pair.Value.Path, pair.Value.GoneSince!.Value))
                .OrderBy(gone => gone.Since)
                .ThenBy(gone => gone.Id)];
        }
    }

    /// <summary>
    /// Drops what is known of <paramref name="id"/> (once its series are removed, so memory does not grow with
    /// cgroups that come and go). Asked for again, it is an unknown id: a walk, which finds no gone cgroup.
    /// </summary>
    public bool Forget(ulong id)
    {
        lock (_gate)
        {
            return _known.TryRemove(id, out _);
        }
    }

    // Under _gate. False when the mount itself cannot be read: nothing is judged gone or unresolvable then.
    private bool Walk()
    {
        _lastWalkStarted = _time.GetTimestamp();
        Interlocked.Increment(ref _walks);
        var now = _time.GetUtcNow();
        if (!DirectoryInode.TryGet(MountPoint, out var rootId))
        {
            return false;
        }

        var seen = new HashSet<ulong>();
        Record(rootId, "/", seen);
        var queue = new Queue<(string Full, string Relative)>();
        queue.Enqueue((_prefix, ""));
        while (queue.TryDequeue(out var directory))
        {
            foreach (var name in ChildDirectories(directory.Full))
            {
                var full = directory.Full + "/" + name;
                var relative = directory.Relative + "/" + name;
                if (DirectoryInode.TryGet(full, out var id))
                {
                    Record(id, relative, seen);
                    queue.Enqueue((full, relative));
                }
            }
        }

        foreach (var (id, known) in _known)
        {
            if (!seen.Contains(id) && known.GoneSince is null)
            {
                _known[id] = known with { GoneSince = now };
            }
        }

        return true;
    }

    private void Record(ulong id, string path, HashSet<ulong> seen)
    {
        seen.Add(id);
        if (!_known.TryGetValue(id, out var known) || known.Path != path || known.GoneSince is not null)
        {
            _known[id] = new Known(path, null);
        }
    }

    // The names of a directory's subdirectories (no symlinks); whatever was read when it vanishes mid-way.
    private static List<string> ChildDirectories(string directory)
    {
        var names = new List<string>();
        try
        {
            var entries = new FileSystemEnumerable<string>(
                directory,
                (ref FileSystemEntry entry) => entry.FileName.ToString(),
                new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = true, RecurseSubdirectories = false })
            {
                ShouldIncludePredicate = (ref FileSystemEntry entry) =>
                    entry.IsDirectory && (entry.Attributes & FileAttributes.ReparsePoint) == 0,
            };
            names.AddRange(entries);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // removed (or made unreadable) while the walk ran
        }

        return names;
    }

    private string FullPath(string path) => path == "/" ? MountPoint : _prefix + path;

    private sealed record Known(string Path, DateTimeOffset? GoneSince);
}
