import { type ReactNode, useEffect, useRef } from 'react';

/**
 * The screen's h1. It takes focus when the screen opens, so keyboard and screen-reader users start
 * at the new content after navigation.
 */
export function PageHeading({
  children,
  intro,
}: {
  readonly children: ReactNode;
  readonly intro?: ReactNode;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
  }, []);
  return (
    <div className="page-heading">
      <h1 className="page-heading__title" tabIndex={-1} ref={heading}>
        {children}
      </h1>
      {intro !== undefined && <p className="page-heading__intro">{intro}</p>}
    </div>
  );
}
