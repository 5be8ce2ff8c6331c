namespace Cutover.Store;

/// <summary>A store that cannot be used as configured: the message says what to fix, without credentials.</summary>
public sealed class StoreException(string message, Exception? inner = null) : Exception(message, inner);
