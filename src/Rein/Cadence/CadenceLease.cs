namespace Rein.Cadence;

/// <summary>What <see cref="CadenceGuard.Release(string)"/> found.</summary>
public enum ReleaseResult
{
    Released,

    /// <summary>The model's last load was already released (releasing twice is harmless).</summary>
    AlreadyReleased,

    /// <summary>No load of the model is on record (a typo?).</summary>
    Unknown,
}

/// <summary>A load marked by <see cref="CadenceGuard.Acquire(IReadOnlyList{string}, CadenceHolder?)"/>: dispose
/// (or <see cref="Release"/>) after the unload.</summary>
public sealed class CadenceLease(CadenceGuard guard, IReadOnlyList<string> models, string token)
    : IDisposable
{
    bool _released;

    public IReadOnlyList<string> Models => models;

    public string Token => token;

    public void Release()
    {
        if (!_released)
        {
            _released = true;
            guard.ReleaseToken(token);
        }
    }

    public void Dispose() => Release();
}
