import { randomBytes } from 'node:crypto';
import { link, open, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Creates `file` with `content` unless it exists, and whole: the content is written and synced
 * under a name of its own, then hard-linked to `file`, so that another process sees the name with
 * all of its content or not at all (creating it with O_EXCL and then writing left a moment in
 * which a reader found it empty). Returns whether this call created it; false: another process
 * did first, and its file is the one to read. For the keys that gateway processes sharing a data
 * folder create on first use.
 */
export async function createFileOnce(
  file: string,
  content: string,
  mode = 0o600,
): Promise<boolean> {
  const draft = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(draft, 'wx', mode);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(draft, file);
    await syncFolder(path.dirname(file));
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // A file system without hard links: exclusive creation, as good as it gets there.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS') {
      try {
        await writeFile(file, content, { mode, flag: 'wx' });
        return true;
      } catch (created) {
        if ((created as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw created;
      }
    }
    throw error;
  } finally {
    await unlink(draft).catch(() => {});
  }
}

/** Makes a new name in the folder durable; not every platform can fsync a folder. */
async function syncFolder(folder: string): Promise<void> {
  try {
    const handle = await open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // The link itself is in place either way.
  }
}
