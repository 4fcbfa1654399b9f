import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * The process logger: JSON lines on stderr (stdout is reserved for command output such as
 * `dtks-gateway token`). Values that could carry personal data or secrets are redacted by path.
 */
export function createLogger(level: string, name = 'dtks-gateway'): Logger {
  return pino(
    {
      name,
      level,
      redact: {
        paths: [
          'req.headers.authorization',
          '*.client_secret',
          '*.password',
          '*.nik',
          '*.kk_number',
        ],
        censor: '[redacted]',
      },
    },
    pino.destination({ fd: 2, sync: false }),
  );
}
