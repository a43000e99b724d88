namespace Rein.Running;

/// <summary>What one of the command's standard streams is.</summary>
public enum RunStdioKind
{
    /// <summary>The host's own (a terminal, a pipe, a file): what <c>rein run</c> does.</summary>
    Inherit,

    /// <summary><c>/dev/null</c>.</summary>
    Null,

    /// <summary>A file: read for standard input; for output, created or truncated (or appended to).</summary>
    File,

    /// <summary>A host <see cref="System.IO.Stream"/>, through a pipe: the command's output is copied into it, or
    /// its input copied from it.</summary>
    Stream,
}

/// <summary>
/// Where one of the command's standard streams goes, as CliWrap's pipe sources and targets: inherited, null, a
/// file, or a host stream. Immutable. The bytes pass unchanged; a file is opened by the guard when the run starts
/// (a file that cannot be opened is a start failure with the reason), a stream is pumped by the guard until the
/// command's side closes, and the run's verdict waits for that copy to finish.
/// </summary>
public sealed record RunStdio
{
    RunStdio(RunStdioKind kind, string? path = null, bool append = false, Stream? stream = null)
    {
        Kind = kind;
        Path = path;
        Append = append;
        Stream = stream;
    }

    public RunStdioKind Kind { get; }

    /// <summary>The file (absolute) for <see cref="RunStdioKind.File"/>.</summary>
    public string? Path { get; }

    /// <summary>Output appends to the file instead of replacing it.</summary>
    public bool Append { get; }

    /// <summary>The host stream for <see cref="RunStdioKind.Stream"/>: readable for standard input, writable for
    /// output. Rein neither closes nor flushes more than it writes.</summary>
    public Stream? Stream { get; }

    public static RunStdio Inherit { get; } = new(RunStdioKind.Inherit);

    public static RunStdio Null { get; } = new(RunStdioKind.Null);

    /// <summary>A file, relative paths taken from the host's current directory now.</summary>
    /// <exception cref="ArgumentException">An empty path.</exception>
    public static RunStdio ToFile(string path, bool append = false) =>
        string.IsNullOrEmpty(path)
            ? throw new ArgumentException("a file path is needed", nameof(path))
            : new(RunStdioKind.File, System.IO.Path.GetFullPath(path), append);

    /// <summary>Standard input from a file (the same as <see cref="ToFile"/>; reads it).</summary>
    public static RunStdio FromFile(string path) => ToFile(path);

    /// <summary>A host stream: the command's output is copied into it, or its input read from it. An input copy
    /// still blocked in the stream's Read when the run ends is abandoned, not interrupted: the chunk it then gets
    /// is lost (a host that reads the same stream after the run should give a stream of its own).</summary>
    public static RunStdio FromStream(Stream stream) =>
        new(RunStdioKind.Stream, stream: stream ?? throw new ArgumentNullException(nameof(stream)));

    /// <summary>The same as <see cref="FromStream"/>, for output.</summary>
    public static RunStdio ToStream(Stream stream) => FromStream(stream);
}
