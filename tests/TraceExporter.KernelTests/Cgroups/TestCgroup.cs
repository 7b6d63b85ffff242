using TraceExporter.Kernel;
using TraceExporter.KernelTests.Infrastructure;

namespace TraceExporter.KernelTests.Cgroups;

/// <summary>
/// Nested cgroups of our own under the cgroup2 mount (e.g. <c>te-test-X.slice/te-web-X.service</c>). Disposal moves
/// any process still in them to the root cgroup and removes them, innermost first.
/// </summary>
internal sealed class TestCgroup : IAsyncDisposable
{
    private readonly List<string> _made = [];

    private TestCgroup(Cgroup2Mount mount) => Mount = mount;

    public Cgroup2Mount Mount { get; }

    /// <summary>The innermost cgroup's directory.</summary>
    public string Directory => _made[^1];

    /// <summary>Its path under the mount, as the resolver should give it.</summary>
    public string PathUnderMount => "/" + Path.GetRelativePath(Mount.MountPoint, Directory);

    public static async Task<TestCgroup> CreateAsync(Cgroup2Mount mount, params string[] names)
    {
        var cgroup = new TestCgroup(mount);
        var directory = mount.MountPoint;
        try
        {
            foreach (var name in names)
            {
                directory = Path.Combine(directory, name);
                System.IO.Directory.CreateDirectory(directory);
                cgroup._made.Add(directory);
            }
        }
        catch
        {
            await cgroup.RemoveAsync();
            throw;
        }

        return cgroup;
    }

    /// <summary>Whether every cgroup made is gone (after <see cref="RemoveAsync"/>).</summary>
    public bool IsRemoved => _made.All(d => !System.IO.Directory.Exists(d));

    /// <summary>Empties and removes the cgroups; true once all are gone (rmdir of an emptied cgroup can lag its last exit).</summary>
    public async ValueTask<bool> RemoveAsync()
    {
        var rootProcs = Path.Combine(Mount.MountPoint, "cgroup.procs");
        for (var i = _made.Count - 1; i >= 0; i--)
        {
            var directory = _made[i];
            await Poll.UntilAsync(
                () =>
                {
                    if (!System.IO.Directory.Exists(directory))
                    {
                        return true;
                    }

                    try
                    {
                        foreach (var pid in File.ReadAllLines(Path.Combine(directory, "cgroup.procs")).Where(l => l.Length > 0))
                        {
                            File.AppendAllText(rootProcs, pid + "\n");
                        }

                        System.IO.Directory.Delete(directory); // rmdir: a cgroup's control files go with it
                        return true;
                    }
                    catch (IOException)
                    {
                        return false; // still populated (a process exiting), or moved meanwhile
                    }
                },
                TimeSpan.FromSeconds(10),
                TimeSpan.FromMilliseconds(50));
        }

        return IsRemoved;
    }

    public async ValueTask DisposeAsync() => await RemoveAsync();
}
