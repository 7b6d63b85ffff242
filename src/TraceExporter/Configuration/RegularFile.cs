using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace TraceExporter.Configuration;

/// <summary>
/// Reads the files a user names (the configuration, <c>program_file</c>, <c>--web.config.file</c> and its TLS
/// files) only when they are regular files of at most <see cref="MaxBytes"/>: opened without blocking
/// (<c>O_NONBLOCK</c>, so a FIFO cannot hang the daemon), then checked on the open handle (<c>fstat</c>: no FIFO,
/// device or directory), and never read past the limit (<c>/dev/zero</c> or a 1 GB file cannot fill memory).
/// </summary>
public static class RegularFile
{
    /// <summary>The largest configuration, program or web configuration file read: far above any real one.</summary>
    public const int MaxBytes = 1024 * 1024;

    private const int ReadOnly = 0, NonBlocking = 0x800, NoControllingTerminal = 0x100, CloseOnExec = 0x80000;
    private const int TypeMask = 0xF000, Regular = 0x8000, Directory = 0x4000, CharacterDevice = 0x2000, BlockDevice = 0x6000, Fifo = 0x1000, Socket = 0xC000;

    /// <summary>The file's text (UTF-8, or as its byte order mark says); an <see cref="IOException"/> says why it cannot be read.</summary>
    public static string ReadAllText(string path, int maxBytes = MaxBytes)
    {
        if (!OperatingSystem.IsLinux())
        {
            return ReadPortable(path, maxBytes);
        }

        var fd = Open(path, ReadOnly | NonBlocking | NoControllingTerminal | CloseOnExec);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw errno switch
            {
                2 => new FileNotFoundException($"Could not find file '{path}'.", path),
                13 => new UnauthorizedAccessException($"Access to the path '{path}' is denied."),
                _ => new IOException($"{path}: {Marshal.GetPInvokeErrorMessage(errno)}"),
            };
        }

        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        var (mode, size) = Stat(fd);
        var kind = (mode & TypeMask) switch
        {
            Regular => null,
            Directory => "a directory",
            CharacterDevice => "a character device",
            BlockDevice => "a block device",
            Fifo => "a FIFO",
            Socket => "a socket",
            _ => "not a regular file",
        };
        if (kind is not null)
        {
            throw new IOException($"{path} is {kind}, not a regular file");
        }

        if (size > maxBytes)
        {
            throw new IOException($"{path} is larger than {maxBytes / 1024} KiB ({size} bytes)");
        }

        using var stream = new FileStream(handle, FileAccess.Read, bufferSize: 0);
        return Decode(stream, path, maxBytes);
    }

    private static string ReadPortable(string path, int maxBytes)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        return Decode(stream, path, maxBytes);
    }

    /// <summary>Reads at most one byte past the limit: a file that grew since fstat is refused, not read whole.</summary>
    private static string Decode(Stream stream, string path, int maxBytes)
    {
        var buffer = new byte[Math.Min(maxBytes + 1, 64 * 1024)];
        using var content = new MemoryStream();
        int read;
        while ((read = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, maxBytes + 1 - content.Length))) > 0)
        {
            content.Write(buffer, 0, read);
            if (content.Length > maxBytes)
            {
                throw new IOException($"{path} is larger than {maxBytes / 1024} KiB");
            }
        }

        content.Position = 0;
        using var reader = new StreamReader(content, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    /// <summary>st_mode and st_size of an open file. struct stat differs by architecture: x86-64 puts st_mode at 24, the generic layout (arm64) at 16; st_size is at 48 in both.</summary>
    private static (int Mode, long Size) Stat(int fd)
    {
        var buffer = new byte[256];
        int result;
        try
        {
            result = FStat(fd, buffer);
        }
        catch (EntryPointNotFoundException)
        {
            result = FXStat(RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 1 : 0, fd, buffer); // glibc < 2.33
        }

        if (result != 0)
        {
            throw new IOException($"fstat failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }

        var modeOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 24 : 16;
        return (BitConverter.ToInt32(buffer, modeOffset), BitConverter.ToInt64(buffer, 48));
    }

    // DllImport, not LibraryImport: ints and a byte buffer need no custom marshalling, and LibraryImport would need unsafe code in the project.
#pragma warning disable SYSLIB1054
    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fstat", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int FStat(int fd, [Out] byte[] stat);

    [DllImport("libc", EntryPoint = "__fxstat", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int FXStat(int version, int fd, [Out] byte[] stat);
#pragma warning restore SYSLIB1054
}
