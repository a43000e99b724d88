using Rein.Platform.Posix;

namespace Rein.Processes.Posix;

/// <summary>The name of the user Rein runs as, for the journal and for holds and acknowledgements.</summary>
public static class CurrentUser
{
    static readonly Lazy<string> s_name = new(Resolve);

    /// <summary>The password database's name; else <c>$USER</c>; else <c>uid N</c>. An image without /etc/passwd
    /// (a distroless or busybox container) makes .NET's <see cref="Environment.UserName"/> throw, which must not
    /// stop a run.</summary>
    public static string Name => s_name.Value;

    static string Resolve()
    {
        try
        {
            return Environment.UserName;
        }
        catch (Exception e)
            when (e
                    is IOException
                        or InvalidOperationException
                        or UnauthorizedAccessException
                        or PlatformNotSupportedException
            )
        {
            return Environment.GetEnvironmentVariable("USER") is { Length: > 0 } user
                ? user
                : $"uid {LibC.getuid()}";
        }
    }
}
