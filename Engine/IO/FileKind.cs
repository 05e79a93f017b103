namespace Engine.IO;

/// <summary>What a path names.</summary>
public enum FileKind
{
    /// <summary>Nothing there (or a dangling symbolic link).</summary>
    Missing,
    Regular,
    Directory,
    CharacterDevice,
    BlockDevice,
    Fifo,
    Socket,
    /// <summary>Something else, or a kind this platform cannot tell apart.</summary>
    Other,
}
