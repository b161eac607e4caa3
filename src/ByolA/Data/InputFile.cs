using System.Runtime.InteropServices;
using System.Text;

namespace ByolA.Data;

/// <summary>
/// What may be opened as an input: only regular files (or links to them). Opening a FIFO blocks until someone writes
/// to it, and a device such as <c>/dev/zero</c> never ends, so both are told apart by <c>stat</c> before any open,
/// and text inputs (configs, CSVs) are read with a size cap.
/// </summary>
internal static class InputFile
{
    /// <summary>Configs are a few hundred bytes; 1 MiB leaves room for comments and long lists.</summary>
    public const long MaxConfigBytes = 1L << 20;

    /// <summary>Metadata, split and scores CSVs: 256 MiB (millions of rows; the largest official task lists are a few MB).</summary>
    public const long MaxCsvBytes = 256L << 20;

    /// <summary>
    /// What <paramref name="path"/> is when it exists and is neither a regular file nor a folder ("a FIFO (named
    /// pipe)", "a character device", "a block device", "a socket"), following symbolic links; null otherwise (a
    /// regular file, a folder, a missing path, or a platform without <c>stat</c>).
    /// </summary>
    public static string? SpecialKind(string path)
    {
        if (OperatingSystem.IsWindows()) return null;
        int mode;
        try
        {
            // .NET's own native shim (System.Native, part of every runtime) has a stat whose FileStatus starts with
            // (int Flags, int Mode) on every Unix; the buffer is larger than the struct has ever been.
            var status = new byte[512];
            if (Stat(path, status) != 0) return null;
            mode = BitConverter.ToInt32(status, 4);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return null; }
        return (mode & 0xF000) switch
        {
            0x1000 => "a FIFO (named pipe)",
            0x2000 => "a character device",
            0x6000 => "a block device",
            0xC000 => "a socket",
            _ => null,
        };
    }

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat")]
    static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, [Out] byte[] output);

    /// <summary>"PATH: is KIND, not a regular file; ..." for <see cref="SpecialKind"/> paths, null for others.</summary>
    public static string? NotRegularProblem(string path) =>
        SpecialKind(path) is { } kind ? $"{path}: is {kind}, not a regular file; give a file" : null;

    /// <summary>Throws a one-line <see cref="ByolAException"/> unless <paramref name="path"/> may be opened as a regular file.</summary>
    public static void RequireRegular(string path)
    {
        if (NotRegularProblem(path) is { } problem) throw new ByolAException(problem);
    }

    /// <summary>
    /// Throws a one-line <see cref="ByolAException"/> naming <paramref name="what"/> when <paramref name="path"/> is
    /// not a regular file or is larger than <paramref name="maxBytes"/>.
    /// </summary>
    public static void RequireRegular(string path, long maxBytes, string what)
    {
        RequireRegular(path);
        long length = IoErrors.Guard(path, "read " + what, () => new FileInfo(path).Length);
        if (length > maxBytes)
            throw new ByolAException($"{path}: {length:N0} bytes is too large for {what} (at most {maxBytes:N0}); is it the right file?");
    }

    /// <summary>
    /// The text of <paramref name="path"/> (UTF-8, BOM honoured), refused in one line when it is not a regular file or
    /// holds more than <paramref name="maxBytes"/> (checked before reading and while reading, for a file that grows).
    /// </summary>
    public static string ReadAllText(string path, long maxBytes, string what)
    {
        RequireRegular(path, maxBytes, what);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        using var reader = new StreamReader(new CappedStream(stream, maxBytes, path, what), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    /// <summary>A reader over <paramref name="path"/> refused like <see cref="ReadAllText"/> and stopped at <paramref name="maxBytes"/>.</summary>
    public static StreamReader OpenText(string path, long maxBytes, string what)
    {
        RequireRegular(path, maxBytes, what);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        return new StreamReader(new CappedStream(stream, maxBytes, path, what), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
    }

    /// <summary>Reads through to an inner stream and fails once more than the cap has been read.</summary>
    sealed class CappedStream(Stream inner, long maxBytes, string path, string what) : Stream
    {
        long read;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = inner.Read(buffer, offset, count);
            read += n;
            if (read > maxBytes) throw new ByolAException($"{path}: more than {maxBytes:N0} bytes is too large for {what}; is it the right file?");
            return n;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
