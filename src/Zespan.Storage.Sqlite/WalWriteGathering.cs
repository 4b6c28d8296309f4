using System.Runtime.InteropServices;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// A SQLite VFS over the default one that gathers the writes of each WAL file into one buffer and hands them to the
/// operating system in one call. Why: SQLite writes every WAL frame as two calls (its 24-byte header, then the page), so a
/// group commit that dirtied 14,000 pages made 28,000 <c>pwrite</c> calls, and on this host a call costs ~3 µs before it
/// copies a byte: the commit was the largest part of the writer's time per span (docs/benchmarks.md, session 36).
/// Files other than WAL files are the default VFS's own, untouched (SQLite calls its methods directly).
/// When the gathered bytes reach the file, so that nothing SQLite relies on is left in memory:
/// - before every sync, read, size, truncate, file control and close of the WAL;
/// - after the page of a commit frame (the frame whose header carries the database size), because SQLite makes the
///   transaction visible to other connections right after writing it, with or without a sync;
/// - when a write is not contiguous with the gathered bytes, or they would pass <see cref="BufferBytes"/>.
/// So a commit is on disk when it would have been without the buffer (synchronous=FULL syncs after the commit frame),
/// and a process killed between two calls loses only frames of a transaction that had not committed.
/// </summary>
internal static unsafe partial class WalWriteGathering
{
    private const int Ok = 0;
    private const int NoMemory = 7;
    private const int OpenWal = 0x00080000; // SQLITE_OPEN_WAL
    private const int FrameHeaderBytes = 24;
    // The default unix VFS writes at most 128 KiB - 1 per call (seekAndWriteFd masks the length to 17 bits): 64 KiB is
    // 15 frames of 4 KiB pages per call instead of 30 calls.
    private const int BufferBytes = 64 * 1024;
    private const int VfsBytes = 168; // sqlite3_vfs, version 3
    private const int VfsNameBytes = 16;

    /// <summary>The first fields of sqlite3_vfs; the rest are copied from the default VFS unchanged.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Vfs
    {
        public int Version;
        public int FileBytes;
        public int MaxPathname;
        public Vfs* Next;
        public byte* Name;
        public Vfs* AppData;
        public delegate* unmanaged<Vfs*, byte*, FileHandle*, int, int*, int> Open;
    }

    /// <summary>sqlite3_io_methods, version 1 (the version SQLite needs of a WAL file: no shared memory, no mapping).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct IoMethods
    {
        public int Version;
        public delegate* unmanaged<FileHandle*, int> Close;
        public delegate* unmanaged<FileHandle*, byte*, int, long, int> Read;
        public delegate* unmanaged<FileHandle*, byte*, int, long, int> Write;
        public delegate* unmanaged<FileHandle*, long, int> Truncate;
        public delegate* unmanaged<FileHandle*, int, int> Sync;
        public delegate* unmanaged<FileHandle*, long*, int> FileSize;
        public delegate* unmanaged<FileHandle*, int, int> Lock;
        public delegate* unmanaged<FileHandle*, int, int> Unlock;
        public delegate* unmanaged<FileHandle*, int*, int> CheckReservedLock;
        public delegate* unmanaged<FileHandle*, int, void*, int> FileControl;
        public delegate* unmanaged<FileHandle*, int> SectorSize;
        public delegate* unmanaged<FileHandle*, int> DeviceCharacteristics;
    }

    /// <summary>
    /// A WAL file as SQLite holds it: our methods, the gathered bytes, then (at <see cref="InnerOffset"/>) the default
    /// VFS's own file, which every call ends in.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct FileHandle
    {
        public IoMethods* Methods;
        public byte* Buffer;
        public long BufferOffset;
        public int BufferLength;
        public int CommitFrameGathered;
    }

    private static readonly int InnerOffset = sizeof(FileHandle);
    private static IoMethods* _walMethods;

    /// <summary>Writes to WAL files the buffer saved calls for, for tests: (calls made, writes SQLite asked for).</summary>
    internal static (long Calls, long Writes) Counts => (Interlocked.Read(ref _calls), Interlocked.Read(ref _writes));
    private static long _calls;
    private static long _writes;

    /// <summary>Whether this process registered the VFS (as SQLite's default).</summary>
    internal static bool Registered { get; private set; }

    /// <summary>Registers the VFS as SQLite's default, so every connection opened afterwards uses it. Call once.</summary>
    public static int Register()
    {
        var original = FindVfs(null);
        if (original == null || original->Version < 1)
            return 1; // SQLITE_ERROR: no default VFS to build on; SQLite keeps its own
        var copied = original->Version >= 3 ? VfsBytes : original->Version == 2 ? 144 : 136;
        var vfs = (Vfs*)NativeMemory.AllocZeroed(VfsBytes);
        System.Buffer.MemoryCopy(original, vfs, VfsBytes, copied);
        var name = (byte*)NativeMemory.AllocZeroed(VfsNameBytes);
        "zespan-wal"u8.CopyTo(new Span<byte>(name, VfsNameBytes - 1));
        vfs->Name = name;
        vfs->Next = null;
        vfs->AppData = original;
        vfs->FileBytes = original->FileBytes + InnerOffset;
        vfs->Open = &Open;

        var methods = (IoMethods*)NativeMemory.AllocZeroed((nuint)sizeof(IoMethods));
        methods->Version = 1;
        methods->Close = &Close;
        methods->Read = &Read;
        methods->Write = &Write;
        methods->Truncate = &Truncate;
        methods->Sync = &Sync;
        methods->FileSize = &FileSize;
        methods->Lock = &Lock;
        methods->Unlock = &Unlock;
        methods->CheckReservedLock = &CheckReservedLock;
        methods->FileControl = &FileControl;
        methods->SectorSize = &SectorSize;
        methods->DeviceCharacteristics = &DeviceCharacteristics;
        _walMethods = methods;

        var registered = RegisterVfs(vfs, makeDefault: 1);
        Registered = registered == Ok;
        return registered;
    }

    [LibraryImport(NativeSqlite.Library, EntryPoint = "sqlite3_vfs_find")]
    private static partial Vfs* FindVfs(byte* name);

    [LibraryImport(NativeSqlite.Library, EntryPoint = "sqlite3_vfs_register")]
    private static partial int RegisterVfs(Vfs* vfs, int makeDefault);

    private static FileHandle* Inner(FileHandle* file) => (FileHandle*)((byte*)file + InnerOffset);

    /// <summary>Writes out what is gathered, then hands back the default VFS's file for the call that needs the bytes there.</summary>
    private static int FlushedInner(FileHandle* file, out FileHandle* inner)
    {
        inner = Inner(file);
        return Flush(file);
    }

    [UnmanagedCallersOnly]
    private static int Open(Vfs* vfs, byte* name, FileHandle* file, int flags, int* outFlags)
    {
        var original = vfs->AppData;
        // Not a WAL file: the default VFS's file lives at the start of SQLite's allocation and keeps its own methods.
        if ((flags & OpenWal) == 0)
            return original->Open(original, name, file, flags, outFlags);
        *file = default;
        var inner = Inner(file);
        var opened = original->Open(original, name, inner, flags, outFlags);
        // SQLite closes a file only when its methods are set; a failed open must leave them unset.
        file->Methods = inner->Methods == null ? null : _walMethods;
        return opened;
    }

    [UnmanagedCallersOnly]
    private static int Write(FileHandle* file, byte* data, int amount, long offset)
    {
        Interlocked.Increment(ref _writes);
        var commitHeader = amount == FrameHeaderBytes && DatabaseSizeOf(data) != 0;
        var contiguous = file->BufferLength > 0 && offset == file->BufferOffset + file->BufferLength;
        if (file->BufferLength > 0 && (!contiguous || file->BufferLength + amount > BufferBytes))
        {
            if (Flush(file) is var flushed and not Ok)
                return flushed;
        }
        // A commit frame's header that does not follow the gathered frames is a rewrite of its checksum (SQLite's
        // walRewriteChecksums), and may be the last write of the transaction: written at once. Too large a write, too.
        if ((commitHeader && !contiguous) || amount > BufferBytes)
        {
            file->CommitFrameGathered = commitHeader ? 1 : 0;
            Interlocked.Increment(ref _calls);
            var inner = Inner(file);
            return inner->Methods->Write(inner, data, amount, offset);
        }
        if (file->Buffer == null)
        {
            try
            {
                file->Buffer = (byte*)NativeMemory.Alloc(BufferBytes);
            }
            catch (OutOfMemoryException)
            {
                return NoMemory; // an exception must not cross back into SQLite
            }
        }
        if (file->BufferLength == 0)
            file->BufferOffset = offset;
        System.Buffer.MemoryCopy(data, file->Buffer + file->BufferLength, BufferBytes - file->BufferLength, amount);
        file->BufferLength += amount;
        // The page after a commit frame's header ends the transaction: SQLite publishes it to readers next.
        if (file->CommitFrameGathered != 0)
        {
            file->CommitFrameGathered = 0;
            return Flush(file);
        }
        file->CommitFrameGathered = commitHeader ? 1 : 0;
        return Ok;
    }

    /// <summary>A WAL frame header's second field: the database size in pages for a commit frame, 0 for any other.</summary>
    private static uint DatabaseSizeOf(byte* header) => (uint)(header[4] << 24 | header[5] << 16 | header[6] << 8 | header[7]);

    private static int Flush(FileHandle* file)
    {
        if (file->BufferLength == 0)
            return Ok;
        var inner = Inner(file);
        Interlocked.Increment(ref _calls);
        var written = inner->Methods->Write(inner, file->Buffer, file->BufferLength, file->BufferOffset);
        // Dropped either way: after a failed write SQLite fails the transaction, and its next one writes its frames anew.
        file->BufferLength = 0;
        return written;
    }

    [UnmanagedCallersOnly]
    private static int Close(FileHandle* file)
    {
        var flushed = Flush(file);
        if (file->Buffer != null)
        {
            NativeMemory.Free(file->Buffer);
            file->Buffer = null;
        }
        var inner = Inner(file);
        var closed = inner->Methods->Close(inner);
        return flushed != Ok ? flushed : closed;
    }

    [UnmanagedCallersOnly]
    private static int Read(FileHandle* file, byte* data, int amount, long offset) =>
        FlushedInner(file, out var inner) is var flushed and not Ok ? flushed : inner->Methods->Read(inner, data, amount, offset);

    [UnmanagedCallersOnly]
    private static int Truncate(FileHandle* file, long size) =>
        FlushedInner(file, out var inner) is var flushed and not Ok ? flushed : inner->Methods->Truncate(inner, size);

    [UnmanagedCallersOnly]
    private static int Sync(FileHandle* file, int flags) =>
        FlushedInner(file, out var inner) is var flushed and not Ok ? flushed : inner->Methods->Sync(inner, flags);

    [UnmanagedCallersOnly]
    private static int FileSize(FileHandle* file, long* size) =>
        FlushedInner(file, out var inner) is var flushed and not Ok ? flushed : inner->Methods->FileSize(inner, size);

    [UnmanagedCallersOnly]
    private static int FileControl(FileHandle* file, int operation, void* argument) =>
        FlushedInner(file, out var inner) is var flushed and not Ok ? flushed : inner->Methods->FileControl(inner, operation, argument);

    [UnmanagedCallersOnly]
    private static int Lock(FileHandle* file, int level) => Inner(file)->Methods->Lock(Inner(file), level);

    [UnmanagedCallersOnly]
    private static int Unlock(FileHandle* file, int level) => Inner(file)->Methods->Unlock(Inner(file), level);

    [UnmanagedCallersOnly]
    private static int CheckReservedLock(FileHandle* file, int* reserved) => Inner(file)->Methods->CheckReservedLock(Inner(file), reserved);

    [UnmanagedCallersOnly]
    private static int SectorSize(FileHandle* file) => Inner(file)->Methods->SectorSize(Inner(file));

    [UnmanagedCallersOnly]
    private static int DeviceCharacteristics(FileHandle* file) => Inner(file)->Methods->DeviceCharacteristics(Inner(file));
}
