using TraceExporter.Kernel;

namespace TraceExporter.Tests.Kernel;

public sealed class DirectoryInodeTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("te-inode-");

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public void Procfs_root_has_the_inode_number_procfs_gives_it()
    {
        // PROC_ROOT_INO is 1 in every kernel: a number known without asking statx.
        Assert.True(DirectoryInode.TryGet("/proc", out var inode));
        Assert.Equal(1UL, inode);
    }

    [Fact]
    public void A_directory_has_one_inode_by_every_path_to_it_and_another_directory_has_another()
    {
        var a = Directory.CreateDirectory(Path.Combine(_root.FullName, "a"));
        var b = Directory.CreateDirectory(Path.Combine(a.FullName, "b"));

        Assert.True(DirectoryInode.TryGet(a.FullName, out var direct));
        Assert.True(DirectoryInode.TryGet(a.FullName + "/.", out var dot));
        Assert.True(DirectoryInode.TryGet(b.FullName + "/..", out var fromChild));
        Assert.True(DirectoryInode.TryGet(b.FullName, out var child));
        Assert.Equal(direct, dot);
        Assert.Equal(direct, fromChild);
        Assert.NotEqual(direct, child);
        Assert.Equal(CoreutilsStat.Inode(a.FullName), direct);
        Assert.Equal(CoreutilsStat.Inode(b.FullName), child);
    }

    [Fact]
    public void A_name_with_spaces_and_non_ascii_letters_is_found()
    {
        var odd = Directory.CreateDirectory(Path.Combine(_root.FullName, "a b ü\\x2d"));

        Assert.True(DirectoryInode.TryGet(odd.FullName, out var inode));
        Assert.True(DirectoryInode.TryGet(odd.FullName + "/.", out var again));
        Assert.Equal(inode, again);
    }

    [Fact]
    public void A_missing_path_a_file_and_a_symlink_to_a_directory_have_none()
    {
        var file = Path.Combine(_root.FullName, "file");
        File.WriteAllText(file, "");
        var link = Path.Combine(_root.FullName, "link");
        File.CreateSymbolicLink(link, _root.FullName);

        Assert.False(DirectoryInode.TryGet(Path.Combine(_root.FullName, "missing"), out _));
        Assert.False(DirectoryInode.TryGet(file, out _));
        Assert.False(DirectoryInode.TryGet(link, out _));
        Assert.True(DirectoryInode.TryGet(link + "/.", out _)); // through the link, the directory itself
    }
}
