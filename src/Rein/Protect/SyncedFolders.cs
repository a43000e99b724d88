namespace Rein.Protect;

/// <summary>Folders a sync client mirrors (iCloud Drive, Dropbox, OneDrive, Google Drive): every file a build or a
/// codegen burst writes there is also uploaded, indexed and versioned, which multiplies the I/O.</summary>
public static class SyncedFolders
{
    static readonly (string Marker, string Service)[] Markers =
    [
        ("/Library/Mobile Documents/", "iCloud Drive"),
        ("/iCloud Drive/", "iCloud Drive"),
        ("/Library/CloudStorage/Dropbox", "Dropbox"),
        ("/Library/CloudStorage/OneDrive", "OneDrive"),
        ("/Library/CloudStorage/GoogleDrive", "Google Drive"),
        ("/Dropbox/", "Dropbox"),
        ("/OneDrive/", "OneDrive"),
        ("/OneDrive - ", "OneDrive"),
        ("/Google Drive/", "Google Drive"),
    ];

    /// <summary>The sync service whose folder holds <paramref name="path"/>, or null.</summary>
    public static string? ServiceFor(string path)
    {
        var p = path.TrimEnd('/') + "/";
        foreach (var (marker, service) in Markers)
        {
            if (p.Contains(marker, StringComparison.Ordinal))
            {
                return service;
            }
        }

        return null;
    }
}
