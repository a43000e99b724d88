namespace Rein.Cache;

/// <summary>Where each tool keeps its models, as the tools themselves decide it (environment first).</summary>
public sealed record CacheLocations(
    string HfHub,
    string Whisper,
    IReadOnlyList<string> SitePackages
)
{
    /// <param name="env">Reads an environment variable.</param>
    /// <param name="hfCache">--hf-cache, when given.</param>
    /// <param name="sitePackages">--site-packages directories (and those --python reported).</param>
    public static CacheLocations Resolve(
        Func<string, string?> env,
        string? hfCache,
        IReadOnlyList<string> sitePackages
    )
    {
        var home = env("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var cache = env("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(home, ".cache");
        var hub =
            hfCache is { Length: > 0 } ? hfCache
            : env("HF_HUB_CACHE") is { Length: > 0 } h ? h
            : env("HF_HOME") is { Length: > 0 } hfHome ? Path.Combine(hfHome, "hub")
            : Path.Combine(home, ".cache", "huggingface", "hub");
        // openai-whisper: download_root defaults to $XDG_CACHE_HOME/whisper (~/.cache/whisper).
        var whisper = env("WHISPER_CACHE_DIR") is { Length: > 0 } w
            ? w
            : Path.Combine(cache, "whisper");
        return new CacheLocations(hub, whisper, sitePackages);
    }
}
