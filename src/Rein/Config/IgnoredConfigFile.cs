namespace Rein.Config;

/// <summary>Why a rein.toml that was found is not obeyed.</summary>
public enum ConfigFileProblem
{
    /// <summary>Owned by a user other than the one running rein (or root).</summary>
    OwnedByAnotherUser,

    /// <summary>Its group or other users may write it: anyone of them could set rein's limits.</summary>
    WritableByOthers,
}

/// <summary>A configuration file that was found and ignored (the CLI warns about it).</summary>
public sealed record IgnoredConfigFile(
    string Path,
    ConfigFileProblem Problem,
    uint OwnerUid,
    UnixFileMode Mode
);
