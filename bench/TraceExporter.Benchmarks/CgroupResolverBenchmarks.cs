using BenchmarkDotNet.Attributes;
using TraceExporter.Kernel;

namespace TraceExporter.Benchmarks;

/// <summary>
/// <see cref="CgroupResolver"/> on a temporary tree shaped like a Kubernetes node's cgroups: 10 QoS-like slices ×
/// 100 pod slices × 10 container scopes = 10,000 leaf directories (11,011 in all), whose inode numbers stand in for
/// cgroup ids. A walk of the real cgroup2 mount also reads each cgroup's control files as directory entries;
/// tests/TraceExporter.KernelTests/Cgroups/CgroupResolverScaleTests.cs measures that on 10,000 real cgroups.
/// </summary>
[MemoryDiagnoser]
public class CgroupResolverBenchmarks
{
    private const int Leaves = 10_000;
    private DirectoryInfo _mount = null!;
    private ulong[] _ids = null!;
    private CgroupResolver _warm = null!;

    [GlobalSetup]
    public void Setup()
    {
        _mount = Directory.CreateTempSubdirectory("te-bench-cgroups-");
        _ids = new ulong[Leaves];
        for (var i = 0; i < Leaves; i++)
        {
            var leaf = Directory.CreateDirectory(
                Path.Combine(_mount.FullName, $"qos{i / 1000}.slice", $"pod{i / 10}.slice", $"container{i}.scope"));
            if (!DirectoryInode.TryGet(leaf.FullName, out _ids[i]))
            {
                throw new InvalidOperationException($"no inode for {leaf.FullName}");
            }
        }

        _warm = new CgroupResolver(_mount.FullName);
        ResolveAll(_warm);
    }

    [GlobalCleanup]
    public void Cleanup() => _mount.Delete(recursive: true);

    /// <summary>A new resolver: the first miss walks the tree once, the other 9,999 ids are then cached.</summary>
    [Benchmark]
    public int FirstResolutionOfTenThousandIds()
    {
        var resolver = new CgroupResolver(_mount.FullName);
        return ResolveAll(resolver);
    }

    /// <summary>One op = one lookup of a known id (10,000 per invocation).</summary>
    [Benchmark(OperationsPerInvoke = Leaves)]
    public int CachedLookup() => ResolveAll(_warm);

    /// <summary>One statx per known id (11,011), as the lead's periodic check of gone cgroups costs.</summary>
    [Benchmark]
    public int CheckGoneOfElevenThousandIds() => _warm.CheckGone().Count;

    private int ResolveAll(CgroupResolver resolver)
    {
        var resolved = 0;
        foreach (var id in _ids)
        {
            if (resolver.TryResolve(id, out _))
            {
                resolved++;
            }
        }

        return resolved == Leaves ? resolved : throw new InvalidOperationException($"only {resolved} of {Leaves} ids resolved");
    }
}
