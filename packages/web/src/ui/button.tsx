import type { ButtonHTMLAttributes, Ref } from 'react';

type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  readonly variant?: 'primary' | 'secondary' | 'danger';
  /** While true the button says so and ignores clicks, but keeps keyboard focus. */
  readonly busy?: boolean;
  readonly ref?: Ref<HTMLButtonElement>;
};

/** The app's button; `busy` uses aria-disabled so focus is not lost mid-action. */
export function Button({
  variant = 'primary',
  busy = false,
  className,
  onClick,
  type,
  ...rest
}: ButtonProps) {
  return (
    <button
      type={type ?? 'button'}
      className={`button button--${variant}${className === undefined ? '' : ` ${className}`}`}
      aria-disabled={busy || rest.disabled === true ? true : undefined}
      aria-busy={busy ? true : undefined}
      onClick={(event) => {
        if (busy) {
          event.preventDefault();
          return;
        }
        onClick?.(event);
      }}
      {...rest}
    />
  );
}
