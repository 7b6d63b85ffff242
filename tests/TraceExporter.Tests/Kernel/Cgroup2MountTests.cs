using TraceExporter.Kernel;

namespace TraceExporter.Tests.Kernel;

public sealed class Cgroup2MountTests
{
    // Lines from real hosts. The hybrid host and the namespace cases are this machine (kernel 6.18, Debian 12,
    // cgroup v1 controllers with the v2 hierarchy at unified/): `unshare --cgroup` from a child cgroup, and
    // `mount -t cgroup2` in a new mount namespace.
    private const string HybridHost = """
        22 27 0:21 / /proc rw,relatime - proc proc rw
        23 27 0:22 / /sys rw,relatime - sysfs sysfs rw
        27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard,resv_strict,resuid=65534,resgid=65534
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
        35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        45 23 0:13 / /sys/kernel/tracing rw,relatime - tracefs nodev rw
        """;

    // Debian 12 / Ubuntu 22.04 with systemd: only the v2 hierarchy, with optional fields (shared:N).
    private const string PureV2Host = """
        22 29 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
        23 29 0:22 / /proc rw,nosuid,nodev,noexec,relatime shared:13 - proc proc rw
        29 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw,errors=remount-ro
        26 22 0:25 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
        27 22 0:26 / /sys/fs/pstore rw,nosuid,nodev,noexec,relatime shared:5 - pstore pstore rw
        30 22 0:27 / /sys/fs/bpf rw,nosuid,nodev,noexec,relatime shared:8 - bpf bpf rw,mode=700
        """;

    // A Docker container on a v2 host (private cgroup namespace): the runtime's mount, whose source is "cgroup".
    private const string ContainerWithCgroupNamespace = """
        1182 1104 0:130 / / rw,relatime master:584 - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/X:/var/lib/docker/overlay2/l/Y
        1186 1182 0:134 / /sys ro,nosuid,nodev,noexec,relatime - sysfs sysfs ro
        1187 1186 0:27 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw,nsdelegate,memory_recursiveprot
        """;

    private const string CgroupV1OnlyHost = """
        18 24 0:17 / /sys rw,nosuid,nodev,noexec,relatime shared:6 - sysfs sysfs rw
        25 18 0:21 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:7 - tmpfs tmpfs ro,mode=755
        26 25 0:22 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:8 - cgroup cgroup rw,xattr,release_agent=/usr/lib/systemd/systemd-cgroups-agent,name=systemd
        28 25 0:24 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,memory
        """;

    public static TheoryData<string, string, string, string> Hosts => new()
    {
        { "a hybrid host has it at unified/", HybridHost, "/sys/fs/cgroup/unified", "/" },
        { "a pure v2 host has it at /sys/fs/cgroup", PureV2Host, "/sys/fs/cgroup", "/" },
        { "a container with a cgroup namespace sees its own root", ContainerWithCgroupNamespace, "/sys/fs/cgroup", "/" },
        {
            "inside a cgroup namespace the host's mount shows its root above the namespace",
            "41 31 0:38 /../.. /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw",
            "/sys/fs/cgroup/unified",
            "/../.."
        },
        {
            "the host's hierarchy mounted into a namespaced container is chosen over the container's own",
            "86 56 0:38 / /sys/fs/cgroup rw,relatime - cgroup2 none rw\n" +
            "87 56 0:38 /../../.. /host/sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw",
            "/host/sys/fs/cgroup",
            "/../../.."
        },
        {
            "the whole hierarchy is chosen over a bind-mounted subtree listed before it",
            "50 30 0:38 /system.slice /mnt/services ro,relatime - cgroup2 cgroup2 rw\n" +
            "51 30 0:38 / /sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw",
            "/sys/fs/cgroup",
            "/"
        },
        {
            "a mount covered by another on the same point is not the one seen there",
            "628 556 0:30 /../../../../.. /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw,nsdelegate\n" +
            "640 628 0:30 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw,nsdelegate",
            "/sys/fs/cgroup",
            "/"
        },
        {
            "escaped spaces in the mount point are decoded",
            @"86 56 0:38 / /tmp/te\040cg\04027088 rw,relatime - cgroup2 none rw",
            "/tmp/te cg 27088",
            "/"
        },
        {
            "escaped tab, newline and backslash are decoded",
            @"86 56 0:38 / /mnt/a\011b\012c\134d rw,relatime - cgroup2 none rw",
            "/mnt/a\tb\nc\\d",
            "/"
        },
        {
            "several optional fields before the separator",
            "26 22 0:25 / /sys/fs/cgroup rw,nosuid shared:4 master:1 propagate_from:2 - cgroup2 cgroup2 rw",
            "/sys/fs/cgroup",
            "/"
        },
    };

    [Theory]
    [MemberData(nameof(Hosts))]
    public void The_cgroup2_mount_is_found_in_mountinfo(string story, string mountInfo, string mountPoint, string root)
    {
        var found = Cgroup2Mount.Parse(mountInfo);

        Assert.True(found.Count > 0, story);
        Assert.Equal(new Cgroup2Mount(mountPoint, root), found[0]);
    }

    [Theory]
    [InlineData("")]
    [InlineData(CgroupV1OnlyHost)]
    [InlineData("41 31 0:38 / /sys/fs/cgroup/unified")] // cut short: no separator and no type
    [InlineData("41 31 0:38 / /sys/fs/cgroup/unified rw -")]
    [InlineData("x 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw")]
    public void A_host_without_cgroup2_or_with_malformed_lines_has_no_mount(string mountInfo)
    {
        Assert.Empty(Cgroup2Mount.Parse(mountInfo));
    }

    [Fact]
    public void A_cgroup_v1_named_cgroup2_is_not_the_v2_hierarchy()
    {
        // The source field is free text: only the file system type counts.
        var found = Cgroup2Mount.Parse("40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup2 rw,name=systemd");

        Assert.Empty(found);
    }

    [Fact]
    public void A_backslash_not_followed_by_three_octal_digits_stays_as_it_is()
    {
        var found = Cgroup2Mount.Parse(@"86 56 0:38 / /mnt/a\9b\04 rw,relatime - cgroup2 none rw");

        Assert.Equal(@"/mnt/a\9b\04", Assert.Single(found).MountPoint);
    }

    [Fact]
    public void Discover_reads_a_mountinfo_file_and_takes_the_first_reachable_candidate()
    {
        var directory = Directory.CreateTempSubdirectory("te-cg2-");
        try
        {
            // The better candidate (more of the hierarchy) is not reachable: it has no cgroup.controllers.
            var reachable = Directory.CreateDirectory(Path.Combine(directory.FullName, "reachable"));
            File.WriteAllText(Path.Combine(reachable.FullName, "cgroup.controllers"), "");
            var mountInfo = Path.Combine(directory.FullName, "mountinfo");
            File.WriteAllText(
                mountInfo,
                $"87 56 0:38 /../.. {directory.FullName}/hidden rw - cgroup2 cgroup2 rw\n" +
                $"88 56 0:38 / {reachable.FullName} rw - cgroup2 cgroup2 rw\n");

            Assert.Equal(new Cgroup2Mount(reachable.FullName, "/"), Cgroup2Mount.Discover(mountInfo));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Discover_without_a_mountinfo_file_finds_nothing()
    {
        Assert.Null(Cgroup2Mount.Discover("/nonexistent/te-test/mountinfo"));
    }
}
