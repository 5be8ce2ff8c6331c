using System.Buffers.Binary;
using System.Buffers.Text;

namespace Cutover.Server.Admin;

/// <summary>
/// The cursor of <c>/admin/decisions</c>: a row id of the decision log, opaque to clients (base64url of its eight bytes
/// after a version byte), so the API may change what it holds without clients that build their own.
/// </summary>
internal static class DecisionCursor
{
    private const byte Version = 1;

    public static string Format(long id)
    {
        Span<byte> bytes = stackalloc byte[9];
        bytes[0] = Version;
        BinaryPrimitives.WriteInt64BigEndian(bytes[1..], id);
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>The row id of a cursor this server made; false for anything else (empty, not base64url, another version, negative).</summary>
    public static bool TryParse(string? text, out long id)
    {
        id = 0;
        Span<byte> bytes = stackalloc byte[9];
        if (text is not { Length: 12 } || !Base64Url.IsValid(text) || Base64Url.DecodeFromChars(text, bytes) != 9 || bytes[0] != Version)
        {
            return false;
        }

        id = BinaryPrimitives.ReadInt64BigEndian(bytes[1..]);
        return id >= 0;
    }
}
