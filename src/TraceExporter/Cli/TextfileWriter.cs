using System.Security.Cryptography;

namespace TraceExporter;

/// <summary>
/// Writes <c>once</c>'s page so node_exporter never reads half of it and whoever can write the textfile
/// directory cannot turn the write against another file: the page goes to a temporary file of an unpredictable
/// name created exclusively (<c>O_CREAT|O_EXCL</c>: never through a symlink or into a FIFO or anything else
/// already there; another name is tried then), its mode is set through the open handle, and it is renamed over
/// the target (a rename replaces a symlink at the target, it does not follow it).
/// </summary>
public static class TextfileWriter
{
    /// <summary>Names tried before giving up: each is 64 random bits, so a clash means someone plants them.</summary>
    public const int Attempts = 16;

    /// <summary>node_exporter usually runs as another user.</summary>
    private const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Writes <paramref name="page"/> to <paramref name="target"/>; an <see cref="IOException"/> or <see cref="UnauthorizedAccessException"/> says why it could not.</summary>
    public static async Task WriteAsync(ReadOnlyMemory<byte> page, string target, Func<string>? randomPart = null)
    {
        randomPart ??= () => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var directory = Path.GetDirectoryName(target)!;
        for (var attempt = 1; ; attempt++)
        {
            // Not *.prom: the textfile collector ignores it until the rename.
            var temporary = Path.Combine(directory, $".{Path.GetFileName(target)}.{randomPart()}.tmp");
            FileStream stream;
            try
            {
                stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            }
            catch (IOException) when (attempt < Attempts)
            {
                continue; // most likely something is there already (a file, a symlink, a FIFO): not ours to touch
            }

            var renamed = false;
            try
            {
                await using (stream.ConfigureAwait(false))
                {
                    if (!OperatingSystem.IsWindows())
                    {
                        File.SetUnixFileMode(stream.SafeFileHandle, Mode);
                    }

                    await stream.WriteAsync(page).ConfigureAwait(false);
                    stream.Flush(flushToDisk: true);
                }

                File.Move(temporary, target, overwrite: true);
                renamed = true;
                return;
            }
            finally
            {
                if (!renamed)
                {
                    File.Delete(temporary); // the file we created: unlink, which never follows a symlink
                }
            }
        }
    }
}
