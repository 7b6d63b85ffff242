using System.Text;

namespace TraceExporter.Kernel;

/// <summary>
/// Where the cgroup v2 hierarchy is mounted, read from mountinfo (proc_pid_mountinfo(5)): <c>/sys/fs/cgroup</c> on a
/// pure-v2 host, <c>/sys/fs/cgroup/unified</c> on a hybrid one. bpftrace's <c>cgroup</c> builtin is the inode
/// number of a directory under it.
/// </summary>
/// <param name="MountPoint">Where it is mounted (mountinfo's escapes such as <c>\040</c> undone).</param>
/// <param name="Root">
/// Which directory of the hierarchy the mount shows, relative to this process's cgroup namespace root: <c>/</c>
/// for all the namespace sees, a path for a bind-mounted subtree, and leading <c>/..</c> when the mount shows
/// more than the namespace (the host's hierarchy mounted into a container that has a cgroup namespace of its own).
/// </param>
public sealed record Cgroup2Mount(string MountPoint, string Root)
{
    public const string SelfMountInfo = "/proc/self/mountinfo";

    /// <summary>
    /// The cgroup2 mount this process should walk, from <paramref name="mountInfoPath"/>: the first of
    /// <see cref="Parse"/>'s candidates that is reachable (it has <c>cgroup.controllers</c>; a mount can be hidden
    /// by another mounted over one of its parents). Null when there is none or mountinfo cannot be read.
    /// </summary>
    public static Cgroup2Mount? Discover(string mountInfoPath = SelfMountInfo)
    {
        string text;
        try
        {
            text = File.ReadAllText(mountInfoPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return Parse(text).FirstOrDefault(m => File.Exists(Path.Combine(m.MountPoint, "cgroup.controllers")));
    }

    /// <summary>
    /// Every visible cgroup2 mount in a mountinfo text, best first: the one showing the most of the hierarchy
    /// (most <c>/..</c> in its root, then the shortest root), and among equals the one listed first. A mount
    /// covered by another mounted on the same point is left out. Malformed lines are skipped.
    /// </summary>
    public static IReadOnlyList<Cgroup2Mount> Parse(string mountInfo)
    {
        var entries = new List<(long Id, long ParentId, string Point, string Root, string FsType)>();
        foreach (var line in mountInfo.Split('\n'))
        {
            // ID PARENT MAJ:MIN ROOT POINT OPTIONS [OPTIONAL…] - FSTYPE SOURCE SUPER_OPTIONS
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var separator = fields.Length > 7 ? Array.IndexOf(fields, "-", 6) : -1;
            if (separator < 0 || separator + 1 >= fields.Length
                || !long.TryParse(fields[0], out var id) || !long.TryParse(fields[1], out var parentId))
            {
                continue;
            }

            entries.Add((id, parentId, Unescape(fields[4]), Unescape(fields[3]), fields[separator + 1]));
        }

        return entries
            .Select((e, index) => (Entry: e, Index: index))
            .Where(x => x.Entry.FsType == "cgroup2")
            .Where(x => !entries.Any(other => other.ParentId == x.Entry.Id && other.Point == x.Entry.Point))
            .OrderBy(x => Depth(x.Entry.Root))
            .ThenBy(x => x.Index)
            .Select(x => new Cgroup2Mount(x.Entry.Point, x.Entry.Root))
            .ToList();
    }

    // "/" 0, "/a/b" 2, "/../.." -2: lower shows more of the hierarchy.
    private static int Depth(string root) =>
        root.Split('/', StringSplitOptions.RemoveEmptyEntries).Sum(segment => segment == ".." ? -1 : 1);

    // mountinfo writes space, tab, newline and backslash as \ooo (three octal digits).
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var bytes = new List<byte>(field.Length);
        var raw = Encoding.UTF8.GetBytes(field);
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] == '\\' && i + 3 < raw.Length && raw[i + 1] is >= (byte)'0' and <= (byte)'3'
                && IsOctal(raw[i + 2]) && IsOctal(raw[i + 3]))
            {
                bytes.Add((byte)(((raw[i + 1] - '0') << 6) | ((raw[i + 2] - '0') << 3) | (raw[i + 3] - '0')));
                i += 3;
            }
            else
            {
                bytes.Add(raw[i]);
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static bool IsOctal(byte b) => b is >= (byte)'0' and <= (byte)'7';
}
