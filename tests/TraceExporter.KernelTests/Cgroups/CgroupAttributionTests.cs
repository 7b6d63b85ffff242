using TraceExporter.Kernel;
using TraceExporter.KernelTests.Infrastructure;
using Xunit;

namespace TraceExporter.KernelTests.Cgroups;

/// <summary>
/// bpftrace's <c>cgroup</c> of a real process in a real cgroup of our own, resolved by <see cref="CgroupResolver"/>
/// on the real cgroup2 mount to that cgroup's path and labels.
/// </summary>
public sealed class CgroupAttributionTests
{
    private static readonly TimeSpan ExecDeadline = TimeSpan.FromSeconds(20);

    [SkippableFact]
    public async Task An_exec_in_a_service_cgroup_resolves_to_that_service_and_keeps_its_path_once_the_cgroup_is_removed()
    {
        var mount = CgroupPrerequisite.Require();
        var unique = UniqueName.Suffix(10);
        await using var trace = await ExecCgroupTrace.StartAsync();
        await using var cgroup = await TestCgroup.CreateAsync(mount, $"te-test-{unique}.slice", $"te-web-{unique}.service");
        var resolver = new CgroupResolver(mount.MountPoint);

        var id = await trace.ObserveExecInAsync(cgroup, ExecDeadline);
        Assert.True(id is not null, $"bpftrace printed no cgroup id for an exec of {trace.Comm} in {cgroup.Directory}:\n{trace.Output}");
        var resolved = resolver.TryResolve(id.Value, out var path);
        var facts = Facts(mount, cgroup, trace, id.Value, path);

        Assert.True(resolved && path == $"/te-test-{unique}.slice/te-web-{unique}.service", facts);
        Assert.Equal(new CgroupLabels(path!, $"te-web-{unique}.service", "", ""), CgroupLabels.FromPath(path!));
        Assert.Empty(resolver.CheckGone());

        Assert.True(await cgroup.RemoveAsync(), $"could not remove {cgroup.Directory}");
        var gone = resolver.CheckGone();
        // Its slice is gone too, and any cgroup someone else removed meanwhile: the resolver knows the whole tree.
        Assert.True(gone.Any(g => g.Id == id.Value && g.Path == path), facts + $"\n  gone: [{string.Join(", ", gone)}]");
        Assert.True(resolver.TryResolve(id.Value, out var afterRemoval) && afterRemoval == path, facts);
    }

    [SkippableFact]
    public async Task An_exec_in_a_pod_containers_cgroup_resolves_to_its_pod_uid_and_container_id()
    {
        var mount = CgroupPrerequisite.Require();
        var unique = UniqueName.Suffix(10);
        var podUid = Guid.NewGuid().ToString();
        var containerId = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await using var trace = await ExecCgroupTrace.StartAsync();
        await using var cgroup = await TestCgroup.CreateAsync(
            mount,
            $"te-test-{unique}.slice",
            $"kubepods-besteffort-pod{podUid.Replace('-', '_')}.slice",
            $"cri-containerd-{containerId}.scope");
        var resolver = new CgroupResolver(mount.MountPoint);

        var id = await trace.ObserveExecInAsync(cgroup, ExecDeadline);
        Assert.True(id is not null, $"bpftrace printed no cgroup id for an exec of {trace.Comm} in {cgroup.Directory}:\n{trace.Output}");
        var resolved = resolver.TryResolve(id.Value, out var path);

        Assert.True(resolved && path == cgroup.PathUnderMount, Facts(mount, cgroup, trace, id.Value, path));
        Assert.Equal(
            new CgroupLabels(cgroup.PathUnderMount, $"cri-containerd-{containerId}.scope", containerId, podUid),
            CgroupLabels.FromPath(path!));
    }

    private static string Facts(Cgroup2Mount mount, TestCgroup cgroup, ExecCgroupTrace trace, ulong id, string? path) =>
        $"""
        cgroup2 mount {mount}; the test's cgroup {cgroup.Directory}
          its inode (statx): {(DirectoryInode.TryGet(cgroup.Directory, out var inode) ? inode : "none")}; bpftrace's cgroup: {id}
          resolved to: {path ?? "(unresolved)"}
        bpftrace:
        {trace.Output}
        """;
}
