using TraceExporter.Kernel;

namespace TraceExporter.Tests.Kernel;

public sealed class CgroupLabelsTests
{
    private const string Id = "f8b4c0bf8e704eb5a6162ac20172de3d4a5152cdffc0268bbc9387abb50cd107";
    private const string OtherId = "d1c6375281d8fb1eb6a9eff75eb56708a570173b40a837ffb8e5e918ae698000";
    private const string Uid = "1d3c5e2a-4b6f-4c8d-9e0f-a1b2c3d4e5f6";
    private const string SystemdUid = "1d3c5e2a_4b6f_4c8d_9e0f_a1b2c3d4e5f6";
    private const string StaticPodUid = "48d476df181dd2c6bbc504012d6c3b69";

    // story, path, unit, container_id, pod_uid (cgroup is the path itself)
    public static TheoryData<string, string, string, string, string> Paths => new()
    {
        // systemd
        { "a service", "/system.slice/nginx.service", "nginx.service", "", "" },
        { "a socket unit", "/system.slice/docker.socket", "docker.socket", "", "" },
        { "the innermost of nested units", "/system.slice/foo.service/bar.scope", "bar.scope", "", "" },
        { "a service's own sub-cgroup is still that service", "/system.slice/containerd.service/workers", "containerd.service", "", "" },
        {
            "a unit name keeps systemd's escapes",
            @"/system.slice/system-systemd\x2dfsck.slice/systemd-fsck@dev-disk-by\x2duuid-0a1b.service",
            @"systemd-fsck@dev-disk-by\x2duuid-0a1b.service", "", ""
        },
        { "init.scope holds PID 1", "/init.scope", "init.scope", "", "" },
        { "a login session", "/user.slice/user-1000.slice/session-3.scope", "session-3.scope", "", "" },
        {
            "an application under the user manager",
            "/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-firefox-4242.scope",
            "app-gnome-firefox-4242.scope", "", ""
        },

        // containers outside Kubernetes
        { "docker, systemd driver", $"/system.slice/docker-{Id}.scope", $"docker-{Id}.scope", Id, "" },
        { "docker, cgroupfs driver", $"/docker/{Id}", "", Id, "" },
        { "docker in docker: the innermost container", $"/docker/{OtherId}/docker/{Id}", "", Id, "" },
        { "a container running systemd: its init.scope", $"/system.slice/docker-{Id}.scope/init.scope", "init.scope", Id, "" },
        { "podman", $"/machine.slice/libpod-{Id}.scope", $"libpod-{Id}.scope", Id, "" },
        {
            "rootless podman",
            $"/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-{Id}.scope",
            $"libpod-{Id}.scope", Id, ""
        },
        { "podman's monitor is not the container", $"/machine.slice/libpod-conmon-{Id}.scope", $"libpod-conmon-{Id}.scope", "", "" },

        // Kubernetes, systemd driver
        {
            "containerd in a burstable pod",
            $"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{SystemdUid}.slice/cri-containerd-{Id}.scope",
            $"cri-containerd-{Id}.scope", Id, Uid
        },
        {
            "CRI-O in a guaranteed pod",
            $"/kubepods.slice/kubepods-pod{SystemdUid}.slice/crio-{Id}.scope",
            $"crio-{Id}.scope", Id, Uid
        },
        {
            "CRI-O's conmon belongs to the pod, not to the container",
            $"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod{SystemdUid}.slice/crio-conmon-{Id}.scope",
            $"crio-conmon-{Id}.scope", "", Uid
        },
        {
            "the pod's own slice",
            $"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod{SystemdUid}.slice",
            "", "", Uid
        },
        {
            "a static pod's UID is a 32-hex hash",
            $"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{StaticPodUid}.slice/cri-containerd-{Id}.scope",
            $"cri-containerd-{Id}.scope", Id, StaticPodUid
        },
        {
            "kind, under the kubelet's own slice",
            $"/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod{SystemdUid}.slice/cri-containerd-{Id}.scope",
            $"cri-containerd-{Id}.scope", Id, Uid
        },
        {
            "docker as the runtime (cri-dockerd)",
            $"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{SystemdUid}.slice/docker-{Id}.scope",
            $"docker-{Id}.scope", Id, Uid
        },

        // Kubernetes, cgroupfs driver
        { "a burstable pod's container", $"/kubepods/burstable/pod{Uid}/{Id}", "", Id, Uid },
        { "a besteffort pod's container", $"/kubepods/besteffort/pod{Uid}/{Id}", "", Id, Uid },
        { "a guaranteed pod's container", $"/kubepods/pod{Uid}/{Id}", "", Id, Uid },
        { "the pod itself", $"/kubepods/burstable/pod{Uid}", "", "", Uid },

        // nothing to find
        { "the root", "/", "", "", "" },
        { "a slice is not a unit", "/system.slice", "", "", "" },
        { "a slice in a slice", "/user.slice/user-1000.slice", "", "", "" },
        { "a plain directory", "/te-test/worker", "", "", "" },

        // near misses
        { "a 63-hex id", $"/system.slice/docker-{Id[1..]}.scope", $"docker-{Id[1..]}.scope", "", "" },
        { "a 65-hex id", $"/docker/{Id}0", "", "", "" },
        { "uppercase hex", $"/docker/{Id.ToUpperInvariant()}", "", "", "" },
        { "an unknown runtime's scope", $"/system.slice/rkt-{Id}.scope", $"rkt-{Id}.scope", "", "" },
        { "a bare 64-hex directory neither under a pod nor under docker", $"/system.slice/{Id}", "", "", "" },
        { "a pod directory outside kubepods", $"/system.slice/pod{Uid}/{Id}", "", "", "" },
        { "a systemd pod slice with dashes, which the kubelet never writes", $"/kubepods.slice/kubepods-pod{Uid}.slice", "", "", "" },
        { "a pod UID one digit short", $"/kubepods/pod{Uid[1..]}/{Id}", "", "", "" },
        { "a name ending in .services", "/system.slice/nginx.services", "", "", "" },
        { "a unit suffix alone", "/system.slice/.service", "", "", "" },
    };

    [Theory]
    [MemberData(nameof(Paths))]
    public void A_path_gives_its_unit_container_and_pod(string story, string path, string unit, string containerId, string podUid)
    {
        var labels = CgroupLabels.FromPath(path);

        Assert.True(
            new CgroupLabels(path, unit, containerId, podUid) == labels,
            $"{story}: expected unit '{unit}', container '{containerId}', pod '{podUid}'; got {labels}");
    }

    [Theory]
    [InlineData("", "/")]
    [InlineData("system.slice/nginx.service", "/system.slice/nginx.service")]
    [InlineData("/system.slice/nginx.service/", "/system.slice/nginx.service")]
    [InlineData("//system.slice//nginx.service", "/system.slice/nginx.service")]
    public void The_cgroup_label_is_the_path_from_the_root_without_empty_parts(string path, string cgroup)
    {
        Assert.Equal(cgroup, CgroupLabels.FromPath(path).Cgroup);
    }
}
