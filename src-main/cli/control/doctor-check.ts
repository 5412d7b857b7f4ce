/** The checks of `beacon doctor`: each says what it found and, when broken, what to do. */
export interface DoctorCheck {
  name: string;
  level: 'ok' | 'info' | 'warning' | 'problem';
  detail: string;
  fix: string | null;
}
