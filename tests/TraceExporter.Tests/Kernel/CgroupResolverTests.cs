using Microsoft.Extensions.Time.Testing;
using TraceExporter.Kernel;

namespace TraceExporter.Tests.Kernel;

/// <summary>
/// On a tree of temporary directories standing in for the cgroup2 mount: their inode numbers are the ids, as
/// on cgroup2. Time is a fake clock, so "within the interval" and "after it" are exact.
/// </summary>
public sealed class CgroupResolverTests : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
    private readonly DirectoryInfo _mount = Directory.CreateTempSubdirectory("te-cgresolve-");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _mount.Delete(recursive: true);

    [Fact]
    public void Every_directory_resolves_to_its_path_under_the_mount_after_one_walk()
    {
        var service = MakeDirectory("system.slice/nginx.service");
        var scope = MakeDirectory("system.slice/foo.service/bar.scope");
        var resolver = NewResolver();

        Assert.Equal("/system.slice/nginx.service", Resolve(resolver, Inode(service)));
        Assert.Equal("/system.slice/foo.service/bar.scope", Resolve(resolver, Inode(scope)));
        Assert.Equal("/system.slice/foo.service", Resolve(resolver, Inode(Path.GetDirectoryName(scope)!)));
        Assert.Equal("/system.slice", Resolve(resolver, Inode(Path.Combine(_mount.FullName, "system.slice"))));
        Assert.Equal("/", Resolve(resolver, Inode(_mount.FullName)));
        Assert.Equal(1, resolver.Walks);
    }

    [Fact]
    public void A_mount_point_given_with_a_trailing_slash_gives_the_same_paths()
    {
        var service = MakeDirectory("system.slice/nginx.service");
        var resolver = new CgroupResolver(_mount.FullName + "/", Interval, _time);

        Assert.Equal("/system.slice/nginx.service", Resolve(resolver, Inode(service)));
        Assert.Equal("/", Resolve(resolver, Inode(_mount.FullName)));
    }

    [Fact]
    public void Known_ids_resolve_without_another_walk_however_much_time_passes()
    {
        var service = MakeDirectory("system.slice/nginx.service");
        var resolver = NewResolver();
        Resolve(resolver, Inode(service));

        _time.Advance(TimeSpan.FromHours(1));
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal("/system.slice/nginx.service", Resolve(resolver, Inode(service)));
        }

        Assert.Equal(1, resolver.Walks);
    }

    [Fact]
    public void A_cgroup_made_after_the_walk_is_unresolved_until_the_interval_has_passed_then_found()
    {
        var resolver = NewResolver();
        Resolve(resolver, Inode(MakeDirectory("system.slice")));
        var later = MakeDirectory("system.slice/late.service");

        _time.Advance(Interval - TimeSpan.FromMilliseconds(1));
        Assert.False(resolver.TryResolve(Inode(later), out _));
        Assert.Equal(1, resolver.Walks);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("/system.slice/late.service", Resolve(resolver, Inode(later)));
        Assert.Equal(2, resolver.Walks);
    }

    [Fact]
    public void A_flood_of_unknown_ids_costs_at_most_one_walk_per_interval()
    {
        MakeDirectory("system.slice/nginx.service");
        var resolver = NewResolver();

        for (var round = 1; round <= 3; round++)
        {
            for (ulong id = 0; id < 10_000; id++)
            {
                Assert.False(resolver.TryResolve(ulong.MaxValue - ((ulong)round * 100_000) - id, out _));
            }

            Assert.Equal(round, resolver.Walks);
            _time.Advance(Interval);
        }
    }

    [Fact]
    public void An_id_that_a_walk_begun_after_it_was_asked_for_did_not_find_costs_no_more_walks()
    {
        var resolver = NewResolver();
        const ulong askedFirst = ulong.MaxValue;     // its own miss starts walk 1
        const ulong askedBetween = ulong.MaxValue - 1; // asked within the interval: judged by walk 2
        Assert.False(resolver.TryResolve(askedFirst, out _));
        Assert.False(resolver.TryResolve(askedBetween, out _));
        Assert.Equal(1, resolver.Walks);

        _time.Advance(Interval);
        Assert.False(resolver.TryResolve(askedBetween, out _));
        Assert.Equal(2, resolver.Walks);

        for (var i = 0; i < 5; i++)
        {
            _time.Advance(Interval);
            Assert.False(resolver.TryResolve(askedFirst, out _));
            Assert.False(resolver.TryResolve(askedBetween, out _));
        }

        Assert.Equal(2, resolver.Walks);
    }

    [Fact]
    public void An_id_asked_for_within_the_interval_is_judged_only_by_a_walk_begun_after_it()
    {
        var resolver = NewResolver();
        Resolve(resolver, Inode(MakeDirectory("system.slice")));

        // Asked for before its directory is walked (the walk was before it existed): not given up on.
        var late = MakeDirectory("system.slice/late.service");
        Assert.False(resolver.TryResolve(Inode(late), out _));
        _time.Advance(Interval);

        // Another id's miss starts the walk that finds it.
        Assert.False(resolver.TryResolve(ulong.MaxValue, out _));
        Assert.Equal(2, resolver.Walks);
        Assert.Equal("/system.slice/late.service", Resolve(resolver, Inode(late)));
    }

    [Fact]
    public void A_removed_cgroup_keeps_its_last_path_and_is_gone_since_the_check_that_first_saw_it()
    {
        var gone = MakeDirectory("system.slice/gone.service");
        var stays = MakeDirectory("system.slice/stays.service");
        var resolver = NewResolver();
        var goneId = Inode(gone);
        Resolve(resolver, goneId);
        Resolve(resolver, Inode(stays));
        Assert.Empty(resolver.CheckGone());

        Directory.Delete(gone);
        _time.Advance(TimeSpan.FromSeconds(30));
        var removedSeenAt = _time.GetUtcNow();
        Assert.Equal([new GoneCgroup(goneId, "/system.slice/gone.service", removedSeenAt)], resolver.CheckGone());

        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal([new GoneCgroup(goneId, "/system.slice/gone.service", removedSeenAt)], resolver.CheckGone());
        Assert.Equal("/system.slice/gone.service", Resolve(resolver, goneId));
        Assert.Equal(1, resolver.Walks);
    }

    [Fact]
    public void A_walk_marks_what_it_no_longer_finds_as_gone_from_that_walk()
    {
        var gone = MakeDirectory("system.slice/gone.service");
        var resolver = NewResolver();
        var goneId = Inode(gone);
        Resolve(resolver, goneId);

        Directory.Delete(gone);
        _time.Advance(Interval);
        var walkedAt = _time.GetUtcNow();
        Assert.False(resolver.TryResolve(ulong.MaxValue, out _)); // a miss: walk 2
        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(2, resolver.Walks);
        Assert.Equal([new GoneCgroup(goneId, "/system.slice/gone.service", walkedAt)], resolver.CheckGone());
    }

    [Fact]
    public void A_cgroup_made_again_at_the_same_path_is_a_new_id_and_the_old_one_is_gone()
    {
        var path = MakeDirectory("system.slice/nginx.service");
        var resolver = NewResolver();
        var oldId = Inode(path);
        Resolve(resolver, oldId);

        // The old directory is moved aside before the new one is made, so the new one cannot take its inode.
        var aside = MakeDirectory("aside");
        Directory.Move(path, Path.Combine(aside, "old"));
        Directory.CreateDirectory(path);
        Directory.Delete(aside, recursive: true);
        var newId = Inode(path);
        Assert.NotEqual(oldId, newId);
        _time.Advance(Interval);

        Assert.Equal("/system.slice/nginx.service", Resolve(resolver, newId));
        Assert.Equal([new GoneCgroup(oldId, "/system.slice/nginx.service", _time.GetUtcNow())], resolver.CheckGone());
        Assert.Equal("/system.slice/nginx.service", Resolve(resolver, oldId));
    }

    [Fact]
    public void Symlinks_are_not_followed_and_files_are_not_cgroups()
    {
        var outside = Directory.CreateTempSubdirectory("te-cgresolve-outside-");
        try
        {
            var target = Directory.CreateDirectory(Path.Combine(outside.FullName, "target.service"));
            var slice = MakeDirectory("system.slice");
            File.CreateSymbolicLink(Path.Combine(slice, "link"), outside.FullName);
            File.CreateSymbolicLink(Path.Combine(slice, "loop"), _mount.FullName);
            var file = Path.Combine(slice, "cgroup.procs");
            File.WriteAllText(file, "");
            var resolver = NewResolver();

            Assert.Equal("/system.slice", Resolve(resolver, Inode(slice)));
            Assert.False(resolver.TryResolve(Inode(outside.FullName), out _));
            Assert.False(resolver.TryResolve(Inode(target.FullName), out _));
            Assert.False(resolver.TryResolve(CoreutilsStat.Inode(file), out _));
            Assert.Equal(1, resolver.Walks);
        }
        finally
        {
            outside.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Directories_made_and_removed_while_walks_run_never_break_a_walk()
    {
        var stable = MakeDirectory("system.slice/stable.service");
        var stableId = Inode(stable);
        var churn = MakeDirectory("churn.slice");
        var resolver = new CgroupResolver(_mount.FullName, TimeSpan.Zero, _time);
        using var stop = new CancellationTokenSource();
        var rounds = 0;
        var churner = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                for (var i = 0; i < 20; i++)
                {
                    Directory.CreateDirectory(Path.Combine(churn, $"c{i}.scope", "inner", "deeper"));
                }

                Directory.Delete(churn, recursive: true);
                Directory.CreateDirectory(churn);
                Interlocked.Increment(ref rounds);
            }
        });
        var walks = 0UL;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        try
        {
            // Walks go on until they have overlapped many rounds of the churn (or the deadline says the churn is stuck).
            while ((Volatile.Read(ref rounds) < 100 || walks < 200) && DateTime.UtcNow < deadline && !churner.IsCompleted)
            {
                Assert.False(resolver.TryResolve(ulong.MaxValue - walks++, out _));
                var gone = resolver.CheckGone();
                Assert.True(
                    gone.All(g => g.Path.StartsWith("/churn.slice", StringComparison.Ordinal)),
                    string.Join(", ", gone.Where(g => !g.Path.StartsWith("/churn.slice", StringComparison.Ordinal))));
            }
        }
        finally
        {
            // Stopped and awaited before Dispose removes the tree under it.
            await stop.CancelAsync();
            await churner;
        }

        Assert.True(rounds >= 100, $"only {rounds} rounds of churn before the deadline");
        Assert.Equal((long)walks, resolver.Walks);
        Assert.Equal("/system.slice/stable.service", Resolve(resolver, stableId));
    }

    [Fact]
    public void Threads_resolving_at_once_all_get_their_paths_from_one_walk()
    {
        var directories = Enumerable.Range(0, 200).Select(i => MakeDirectory($"pods.slice/pod{i}.slice/c{i}.scope")).ToList();
        var ids = directories.Select(Inode).ToList();
        var resolver = NewResolver();
        var results = new string?[ids.Count];

        Parallel.For(0, ids.Count, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            results[i] = resolver.TryResolve(ids[i], out var path) ? path : null;
            resolver.TryResolve(ulong.MaxValue - (ulong)i, out _); // misses in between
        });

        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"/pods.slice/pod{i}.slice/c{i}.scope"), results);
        Assert.Equal(1, resolver.Walks);
    }

    [Fact]
    public void A_mount_that_cannot_be_read_gives_up_on_no_id_and_resolves_once_it_can()
    {
        var missing = Path.Combine(_mount.FullName, "not-yet");
        var resolver = new CgroupResolver(missing, Interval, _time);
        Assert.False(resolver.TryResolve(12345, out _));

        var service = Directory.CreateDirectory(Path.Combine(missing, "system.slice", "nginx.service")).FullName;
        _time.Advance(Interval);

        Assert.Equal("/system.slice/nginx.service", Resolve(resolver, Inode(service)));
        Assert.Equal(2, resolver.Walks);
    }

    [Fact]
    public void A_forgotten_id_is_unknown_again_and_a_walk_does_not_find_a_gone_cgroup()
    {
        var gone = MakeDirectory("system.slice/gone.service");
        var resolver = NewResolver();
        var goneId = Inode(gone);
        Resolve(resolver, goneId);
        Directory.Delete(gone);
        Assert.Single(resolver.CheckGone());

        Assert.True(resolver.Forget(goneId));
        Assert.False(resolver.Forget(goneId));
        Assert.Empty(resolver.CheckGone());
        _time.Advance(Interval);
        Assert.False(resolver.TryResolve(goneId, out _));
        Assert.Equal(2, resolver.Walks);
    }

    private CgroupResolver NewResolver() => new(_mount.FullName, Interval, _time);

    private string MakeDirectory(string relative) => Directory.CreateDirectory(Path.Combine(_mount.FullName, relative)).FullName;

    private static ulong Inode(string directory)
    {
        Assert.True(DirectoryInode.TryGet(directory, out var inode), directory);
        return inode;
    }

    private static string Resolve(CgroupResolver resolver, ulong id)
    {
        Assert.True(resolver.TryResolve(id, out var path), $"id {id} did not resolve");
        return path;
    }
}
