import { useState, type InputHTMLAttributes } from 'react';

type Props = Omit<InputHTMLAttributes<HTMLInputElement>, 'type' | 'checked' | 'onChange'> & {
  checked: boolean;
  /** Records the change; the box shows the click at once and the recorded state once this settles. */
  onCheckedChange(checked: boolean): Promise<unknown>;
};

/** A checkbox whose state lives in the host: it follows the click at once, then the host's answer. */
export function OptimisticCheckbox({ checked, onCheckedChange, ...rest }: Props) {
  const [pending, setPending] = useState<boolean | undefined>();
  return (
    <input
      {...rest}
      type="checkbox"
      checked={pending ?? checked}
      onChange={(e) => {
        setPending(e.target.checked);
        void onCheckedChange(e.target.checked).finally(() => setPending(undefined));
      }}
    />
  );
}
