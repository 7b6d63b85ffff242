using System.Text.RegularExpressions;

namespace TraceExporter.Kernel;

/// <summary>
/// The labels a cgroup path gives a series: the path itself, its innermost systemd unit, the container and the
/// Kubernetes pod it belongs to. Each is empty where the path has none. Pure: the names follow the layouts of
/// systemd, Docker, containerd, CRI-O, podman and the kubelet (systemd and cgroupfs drivers); nothing is looked up.
/// </summary>
/// <param name="Cgroup">The path under the cgroup2 mount, e.g. <c>/system.slice/nginx.service</c>; <c>/</c> for the root.</param>
/// <param name="Unit">
/// The innermost <c>*.service</c>, <c>*.scope</c> or <c>*.socket</c>, as systemd names it (its escapes such as
/// <c>\x2d</c> kept: that is the unit's name). Slices are not units here: every path is in one.
/// </param>
/// <param name="ContainerId">The innermost container's 64-hex id.</param>
/// <param name="PodUid">The Kubernetes pod's UID, with dashes (the systemd driver's <c>_</c> turned back into <c>-</c>).</param>
public sealed partial record CgroupLabels(string Cgroup, string Unit, string ContainerId, string PodUid)
{
    /// <summary>The labels of <paramref name="path"/>, a path under the cgroup2 mount (a missing leading <c>/</c> is added).</summary>
    public static CgroupLabels FromPath(string path)
    {
        var components = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var cgroup = "/" + string.Join('/', components);
        var unit = "";
        var containerId = "";
        var podUid = "";
        var underCgroupfsPod = false;
        for (var i = 0; i < components.Length; i++)
        {
            var name = components[i];
            var parent = i > 0 ? components[i - 1] : "";
            if (UnitName().IsMatch(name))
            {
                unit = name;
            }

            if (ContainerScope().Match(name) is { Success: true } scope)
            {
                containerId = scope.Groups["id"].Value;
            }
            else if (BareContainerId().IsMatch(name) && (underCgroupfsPod || parent == "docker"))
            {
                containerId = name;
            }

            if (SystemdPodSlice().Match(name) is { Success: true } slice)
            {
                podUid = slice.Groups["uid"].Value.Replace('_', '-');
            }
            else if (CgroupfsPod().Match(name) is { Success: true } pod && IsUnderKubepods(components, i))
            {
                podUid = pod.Groups["uid"].Value;
                underCgroupfsPod = true;
            }
        }

        return new CgroupLabels(cgroup, unit, containerId, podUid);
    }

    // cgroupfs driver: /kubepods/pod<UID> (Guaranteed) or /kubepods/{burstable,besteffort}/pod<UID>.
    private static bool IsUnderKubepods(string[] components, int pod) =>
        (pod >= 1 && components[pod - 1] == "kubepods")
        || (pod >= 2 && components[pod - 1] is "burstable" or "besteffort" && components[pod - 2] == "kubepods");

    [GeneratedRegex(@"^.+\.(?:service|scope|socket)\z", RegexOptions.CultureInvariant)]
    private static partial Regex UnitName();

    // docker-ID.scope (Docker, systemd driver), cri-containerd-ID.scope, crio-ID.scope, libpod-ID.scope (podman).
    // Their monitors (crio-conmon-ID.scope, libpod-conmon-ID.scope) are not the container.
    [GeneratedRegex(@"^(?:docker|cri-containerd|crio|libpod)-(?<id>[0-9a-f]{64})\.scope\z", RegexOptions.CultureInvariant)]
    private static partial Regex ContainerScope();

    // /docker/ID (Docker, cgroupfs driver), /kubepods/…/pod<UID>/ID (any runtime, cgroupfs driver).
    [GeneratedRegex(@"^[0-9a-f]{64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex BareContainerId();

    // kubepods-pod<UID>.slice, kubepods-burstable-pod<UID>.slice, kubepods-besteffort-pod<UID>.slice, also under
    // another kubelet cgroup root (kind: kubelet-kubepods-…). The systemd driver writes the UID's dashes as '_';
    // a static pod's UID is a 32-hex hash.
    [GeneratedRegex(
        @"(?:^|-)kubepods(?:-besteffort|-burstable)?-pod(?<uid>[0-9a-f]{8}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{12}|[0-9a-f]{32})\.slice\z",
        RegexOptions.CultureInvariant)]
    private static partial Regex SystemdPodSlice();

    [GeneratedRegex(
        @"^pod(?<uid>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32})\z",
        RegexOptions.CultureInvariant)]
    private static partial Regex CgroupfsPod();
}
