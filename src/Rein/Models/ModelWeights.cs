using System.Text.Json;
using Rein.Cache;

namespace Rein.Models;

/// <summary>A model's weights as they lie on disk: the bytes a load will map, the folder they are in, how many files,
/// and how the figure was read (a shard index's <c>total_size</c>, or the weight files summed).</summary>
public sealed record WeightsOnDisk(long Bytes, string Folder, int Files, string How);

/// <summary>
/// Finds a model's weights without loading anything: a local folder given as the model (an MLX folder, a
/// <c>save_pretrained</c> output), else the Hugging Face hub cache (<c>models--ORG--NAME/snapshots/REV</c>, the
/// revision <c>refs/main</c> names, else the newest). Weight files are <c>*.safetensors</c>, <c>*.gguf</c>,
/// <c>*.npz</c>, else <c>*.bin</c> (PyTorch's format, counted only when no safetensors sit beside them: repositories
/// often ship both and loaders take one). A <c>*.safetensors.index.json</c> with <c>metadata.total_size</c> is the
/// authority for sharded weights. One folder listing and a stat per file: cheap enough for every admission.
/// </summary>
public static class ModelWeights
{
    public static WeightsOnDisk? Find(string model, CacheLocations at)
    {
        if (LocalFolder(model) is { } folder)
        {
            return InFolder(folder);
        }

        if (!model.Contains('/', StringComparison.Ordinal))
        {
            return null;
        }

        var repo = Path.Combine(
            at.HfHub,
            "models--" + model.Replace("/", "--", StringComparison.Ordinal)
        );
        var snapshots = Path.Combine(repo, "snapshots");
        if (!Directory.Exists(snapshots))
        {
            return null;
        }

        try
        {
            var main = Path.Combine(repo, "refs", "main");
            if (File.Exists(main) && File.ReadAllText(main).Trim() is { Length: > 0 } commit)
            {
                var pinned = Path.Combine(snapshots, commit);
                if (Directory.Exists(pinned) && InFolder(pinned) is { } found)
                {
                    return found;
                }
            }

            return Directory
                .EnumerateDirectories(snapshots)
                .OrderByDescending(d => Directory.GetLastWriteTimeUtc(d))
                .Select(InFolder)
                .FirstOrDefault(w => w is not null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>A model given as a path (absolute, <c>./</c>, <c>../</c> or <c>~/</c>) that is a folder.</summary>
    static string? LocalFolder(string model)
    {
        var path = model.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(
                Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
                model[2..]
            )
            : model;
        var looksLikePath =
            Path.IsPathRooted(path)
            || path.StartsWith("./", StringComparison.Ordinal)
            || path.StartsWith("../", StringComparison.Ordinal)
            || model.StartsWith("~/", StringComparison.Ordinal);
        return looksLikePath && Directory.Exists(path) ? Path.GetFullPath(path) : null;
    }

    static readonly string[] Preferred = [".safetensors", ".gguf", ".npz"];

    public static WeightsOnDisk? InFolder(string folder)
    {
        try
        {
            var entries = Directory.EnumerateFileSystemEntries(folder).ToList();
            foreach (
                var index in entries.Where(e =>
                    e.EndsWith(".safetensors.index.json", StringComparison.Ordinal)
                )
            )
            {
                if (TotalSize(index) is { } total)
                {
                    var shards = entries.Count(e =>
                        e.EndsWith(".safetensors", StringComparison.Ordinal)
                    );
                    return new WeightsOnDisk(total, folder, shards, "shard index total_size");
                }
            }

            var weights = entries
                .Where(e => Preferred.Any(x => e.EndsWith(x, StringComparison.Ordinal)))
                .ToList();
            if (weights.Count == 0)
            {
                weights =
                [
                    .. entries.Where(e =>
                        e.EndsWith(".bin", StringComparison.Ordinal)
                        && !e.EndsWith("training_args.bin", StringComparison.Ordinal)
                    ),
                ];
            }

            var sizes = weights.Select(Size).Where(s => s > 0).ToList();
            return sizes.Count == 0
                ? null
                : new WeightsOnDisk(sizes.Sum(), folder, sizes.Count, "weight files summed");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The file's size, through a link (the hub's snapshot entries are links into blobs/); 0 when it
    /// dangles or is not a regular file.</summary>
    static long Size(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
        {
            return
                info.ResolveLinkTarget(returnFinalTarget: true) is FileInfo { Exists: true } target
                ? target.Length
                : 0;
        }

        return info.Exists ? info.Length : 0;
    }

    static long? TotalSize(string index)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(index));
            return
                doc.RootElement.TryGetProperty("metadata", out var meta)
                && meta.ValueKind == JsonValueKind.Object
                && meta.TryGetProperty("total_size", out var total)
                && total.ValueKind == JsonValueKind.Number
                && total.TryGetInt64(out var bytes)
                && bytes > 0
                ? bytes
                : null;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
