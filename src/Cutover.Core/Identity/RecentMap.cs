using System.Collections.Concurrent;

namespace Cutover.Core.Identity;

/// <summary>
/// A bounded map with lock-free reads, in two generations as <see cref="Classification.ConversationMemory"/>: writes go
/// into the current generation; when it holds half the capacity it becomes the previous one and the old previous is
/// dropped. A hit in the previous generation is copied forward, so what is used survives.
/// </summary>
internal sealed class RecentMap<TValue>(int capacity)
    where TValue : class
{
    private readonly int _generationSize = Math.Max(1, capacity / 2);
    private readonly Lock _rotateLock = new();
    private volatile Generation _current = new();
    private volatile Generation _previous = new();

    public int Count => _current.Count + _previous.Count;

    public bool TryGet(string key, out TValue value)
    {
        if (_current.Entries.TryGetValue(key, out value!))
        {
            return true;
        }

        if (!_previous.Entries.TryGetValue(key, out value!))
        {
            return false;
        }

        Set(key, value);
        return true;
    }

    public void Set(string key, TValue value)
    {
        var current = _current;
        if (current.Entries.TryAdd(key, value))
        {
            if (Interlocked.Increment(ref current.Count) >= _generationSize)
            {
                Rotate(current);
            }

            return;
        }

        current.Entries[key] = value;
    }

    private void Rotate(Generation full)
    {
        lock (_rotateLock)
        {
            if (!ReferenceEquals(_current, full))
            {
                return;
            }

            _previous = full;
            _current = new Generation();
        }
    }

    private sealed class Generation
    {
        public readonly ConcurrentDictionary<string, TValue> Entries = new(StringComparer.Ordinal);
        public int Count;
    }
}
