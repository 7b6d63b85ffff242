using System.Diagnostics;
using TraceExporter.Kernel;
using TraceExporter.KernelTests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace TraceExporter.KernelTests.Cgroups;

/// <summary>
/// <see cref="CgroupResolver"/> on 10,000 real cgroups (100 pod-like slices of 100 scopes each, in a slice of our
/// own). A benchmark, not a timed test: it prints the times (run with <c>--logger "console;verbosity=detailed"</c>)
/// and asserts only that every id resolves to its path.
/// </summary>
public sealed class CgroupResolverScaleTests(ITestOutputHelper output)
{
    private const int Slices = 100;
    private const int ScopesPerSlice = 100;

    [SkippableFact]
    public void Ten_thousand_real_cgroups_resolve_by_one_walk_then_from_the_cache()
    {
        var mount = CgroupPrerequisite.Require();
        var top = Path.Combine(mount.MountPoint, $"te-test-{UniqueName.Suffix(10)}.slice");
        var made = new List<string>();
        try
        {
            var clock = Stopwatch.StartNew();
            Directory.CreateDirectory(top);
            made.Add(top);
            var leaves = new List<(string Path, ulong Id)>(Slices * ScopesPerSlice);
            for (var s = 0; s < Slices; s++)
            {
                var slice = Path.Combine(top, $"te-pod{s}.slice");
                Directory.CreateDirectory(slice);
                made.Add(slice);
                for (var c = 0; c < ScopesPerSlice; c++)
                {
                    var scope = Directory.CreateDirectory(Path.Combine(slice, $"te-c{c}.scope")).FullName;
                    made.Add(scope);
                    Assert.True(DirectoryInode.TryGet(scope, out var id), scope);
                    leaves.Add(("/" + Path.GetRelativePath(mount.MountPoint, scope), id));
                }
            }

            var created = clock.Elapsed;
            var resolver = new CgroupResolver(mount.MountPoint);

            clock.Restart();
            Assert.True(resolver.TryResolve(leaves[^1].Id, out _)); // the miss that walks
            var walk = clock.Elapsed;

            clock.Restart();
            var wrong = leaves.Where(leaf => !resolver.TryResolve(leaf.Id, out var path) || path != leaf.Path).ToList();
            var cached = clock.Elapsed;

            clock.Restart();
            var gone = resolver.CheckGone();
            var check = clock.Elapsed;

            output.WriteLine($"{leaves.Count:N0} cgroups (+{Slices + 1} slices) made in {created.TotalMilliseconds:F0} ms under {top}");
            output.WriteLine($"first resolution (one walk of {mount.MountPoint}): {walk.TotalMilliseconds:F1} ms");
            output.WriteLine($"{leaves.Count:N0} cached lookups: {cached.TotalMilliseconds:F2} ms ({cached.TotalNanoseconds / leaves.Count:F0} ns each)");
            output.WriteLine($"CheckGone (one statx per known cgroup): {check.TotalMilliseconds:F1} ms, {gone.Count} gone");
            Assert.True(wrong.Count == 0, $"{wrong.Count} ids resolved wrong or not at all, e.g. {string.Join(", ", wrong.Take(5))}");
            Assert.Equal(1, resolver.Walks);
        }
        finally
        {
            var removal = Stopwatch.StartNew();
            for (var i = made.Count - 1; i >= 0; i--)
            {
                Directory.Delete(made[i]); // rmdir: empty cgroups, innermost first
            }

            output.WriteLine($"removed in {removal.ElapsedMilliseconds} ms");
        }
    }
}
